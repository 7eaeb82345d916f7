/** The Kafka source. Not built yet: this module is a skeleton. */
package io.greenwell.cdc.kafka;
