/** Greenwell's core: the exceptions shared by every module. */
package io.greenwell.cdc;
