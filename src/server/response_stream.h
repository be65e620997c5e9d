// Responses whose body is written over time (Server-Sent Events: MCP's server-to-client
// stream). A handler answers with HttpResponse::stream set; the server writes the head (no
// Content-Length: the body ends when the connection does), then hands the stream a sink that
// any thread may write to until either side ends it.
#ifndef NEXUS_SERVER_RESPONSE_STREAM_H_
#define NEXUS_SERVER_RESPONSE_STREAM_H_

#include <memory>
#include <string>

namespace nexus::server {

class StreamSink {
 public:
  virtual ~StreamSink() = default;
  // Queues `bytes` for the client; false once the connection is gone (then stop writing).
  // A client that reads slower than a stream writes is cut off past a bound, not buffered
  // without limit.
  virtual bool Write(std::string bytes) = 0;
  // Ends the response once what was written has been sent; the connection then closes.
  virtual void Close() = 0;
};

class ResponseStream {
 public:
  virtual ~ResponseStream() = default;
  // Called once, on an I/O thread, when the head has been sent: it must not block.
  virtual void Attach(std::shared_ptr<StreamSink> sink) = 0;
};

}  // namespace nexus::server

#endif  // NEXUS_SERVER_RESPONSE_STREAM_H_
