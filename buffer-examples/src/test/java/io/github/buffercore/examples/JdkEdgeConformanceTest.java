package io.github.buffercore.examples;

/** The edge conformance kit on the Jdk stack. */
class JdkEdgeConformanceTest extends EdgeConformanceKit {

  @Override
  protected HttpStack stack() {
    return new io.github.buffercore.examples.jdk.JdkHttpStack();
  }

  /** The JDK server answers an unparsable request target with its own HTML 400; no hook reaches it. */
  @Override
  protected boolean answersUnparsableRequestsItself() {
    return false;
  }

  @Override
  protected Class<?> mainClass() {
    return io.github.buffercore.examples.jdk.JdkServerMain.class;
  }
}
