using System.Net;

namespace Orchestrator.Transport.Http2;

/// <summary>A response's content over its body stream; disposing it before the end resets the HTTP/2 stream.</summary>
internal sealed class Http2ResponseContent(Http2ResponseBodyStream body) : HttpContent
{
    protected override Task<Stream> CreateContentReadStreamAsync() => Task.FromResult<Stream>(body);

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => body.CopyToAsync(stream);

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) body.Dispose();
        base.Dispose(disposing);
    }
}
