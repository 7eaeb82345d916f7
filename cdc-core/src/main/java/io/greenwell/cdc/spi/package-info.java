/**
 * The service-provider interfaces: what a source, a target or a catalog implements to plug into
 * Greenwell.
 */
package io.greenwell.cdc.spi;
