package io.github.buffercore.examples;

import java.util.List;

/**
 * The edge conformance kit on the Netty stack forced onto the JDK's NIO transport: the fallback where
 * the native epoll transport does not load (any OS but Linux x86-64), which the machines running this
 * suite would otherwise never exercise.
 */
class NettyNioEdgeConformanceTest extends EdgeConformanceKit {

  @Override
  protected HttpStack stack() {
    return new io.github.buffercore.examples.netty.NettyHttpStack(false);
  }

  @Override
  protected Class<?> mainClass() {
    return io.github.buffercore.examples.netty.NettyServerMain.class;
  }

  @Override
  protected List<String> jvmOptions() {
    return List.of("-Dbuffercore.netty.transport=nio");
  }
}
