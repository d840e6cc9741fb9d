package io.github.buffercore.examples;

/** The edge conformance kit on the Jetty stack. */
class JettyEdgeConformanceTest extends EdgeConformanceKit {

  @Override
  protected HttpStack stack() {
    return new io.github.buffercore.examples.jetty.JettyHttpStack();
  }

  @Override
  protected Class<?> mainClass() {
    return io.github.buffercore.examples.jetty.JettyServerMain.class;
  }
}
