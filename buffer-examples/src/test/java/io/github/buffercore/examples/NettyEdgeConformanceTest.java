package io.github.buffercore.examples;

/** The edge conformance kit on the Netty stack. */
class NettyEdgeConformanceTest extends EdgeConformanceKit {

  @Override
  protected HttpStack stack() {
    return new io.github.buffercore.examples.netty.NettyHttpStack();
  }

  @Override
  protected Class<?> mainClass() {
    return io.github.buffercore.examples.netty.NettyServerMain.class;
  }
}
