/** The Kafka source: {@link io.greenwell.cdc.kafka.KafkaSource} reads Maxwell's topics with a consumer group. */
package io.greenwell.cdc.kafka;
