package io.github.buffercore.examples;

import io.github.buffercore.examples.jetty.JettyHttpStack;

/** The end-to-end suite on Jetty 12 (core API, non-blocking). */
class JettyStackEndToEndTest extends AbstractStackEndToEndTest {

  @Override
  HttpStack stack() {
    return new JettyHttpStack();
  }
}
