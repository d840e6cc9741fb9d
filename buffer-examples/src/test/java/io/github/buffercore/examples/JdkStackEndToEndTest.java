package io.github.buffercore.examples;

import io.github.buffercore.examples.jdk.JdkHttpStack;

/** The end-to-end suite on the JDK's built-in HTTP server. */
class JdkStackEndToEndTest extends AbstractStackEndToEndTest {

  @Override
  HttpStack stack() {
    return new JdkHttpStack();
  }
}
