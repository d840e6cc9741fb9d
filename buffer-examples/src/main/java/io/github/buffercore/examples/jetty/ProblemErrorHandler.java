package io.github.buffercore.examples.jetty;

import io.github.buffercore.examples.Problems;
import io.github.buffercore.examples.ProxyApp.TextOutcome;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/** Jetty's own errors (bad request line, headers too large) as problems, never an HTML page. */
final class ProblemErrorHandler extends ErrorHandler {
  @Override
  public boolean handle(Request request, Response response, Callback callback) {
    Object attribute = request.getAttribute(ERROR_STATUS);
    int status = attribute instanceof Integer code ? code : response.getStatus();
    if (status < 400) {
      status = 500;
    }
    TextOutcome problem = problem(status);
    response.setStatus(status);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, problem.contentType());
    byte[] body = problem.body().getBytes(StandardCharsets.UTF_8);
    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
    response.write(true, ByteBuffer.wrap(body), callback);
    return true;
  }

  private static TextOutcome problem(int status) {
    return Problems.problem(status, status >= 500 ? "The server failed to handle the request"
        : "The request could not be understood");
  }
}
