/** The Greenplum and PostgreSQL target. Not built yet: this module is a skeleton. */
package io.greenwell.cdc.greenplum;
