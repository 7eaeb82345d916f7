/** The {@code greenwell} command line. */
package io.greenwell.examples;
