/**
 * The RabbitMQ source: {@link io.greenwell.cdc.rabbitmq.RabbitSource} reads the queue that
 * Maxwell's RabbitMQ producer feeds, exactly once from a stream queue, acknowledged after commit
 * from a classic or quorum queue.
 */
package io.greenwell.cdc.rabbitmq;
