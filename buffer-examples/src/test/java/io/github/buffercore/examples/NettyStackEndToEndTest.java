package io.github.buffercore.examples;

import io.github.buffercore.examples.netty.NettyHttpStack;

/** The end-to-end suite on Netty 4 (non-blocking). */
class NettyStackEndToEndTest extends AbstractStackEndToEndTest {

  @Override
  HttpStack stack() {
    return new NettyHttpStack();
  }
}
