/** The greenwell command line and the demo. Not built yet: this module is a skeleton. */
package io.greenwell.examples;
