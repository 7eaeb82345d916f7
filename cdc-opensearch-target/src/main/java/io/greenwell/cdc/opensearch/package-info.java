/**
 * A search index as a Greenwell target: {@link io.greenwell.cdc.opensearch.OpenSearchTarget} writes
 * net changes as versioned bulk actions to OpenSearch (or Elasticsearch), exactly once in effect
 * without transactions.
 */
package io.greenwell.cdc.opensearch;
