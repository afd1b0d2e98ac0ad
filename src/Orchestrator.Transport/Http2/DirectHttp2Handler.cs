using System.Net;
using System.Net.Http.Headers;

namespace Orchestrator.Transport.Http2;

/// <summary>
/// An <see cref="HttpMessageHandler"/> for HTTP/2 requests to one server over <see cref="Http2ClientConnection"/>s
/// instead of SocketsHttpHandler: request bodies go out in frames as large as the server allows, straight from the
/// caller's buffers. Opens another connection when the server's stream limit is reached or a connection fails.
/// The response returns with its headers while the request body may still be streaming (full duplex).
/// </summary>
internal sealed class DirectHttp2Handler(Http2ConnectionSettings settings) : HttpMessageHandler
{
    private static readonly HashSet<string> ConnectionHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "connection", "host", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade",
    };

    private readonly Lock _gate = new();
    private readonly SemaphoreSlim _connecting = new(1, 1);
    private readonly List<Http2ClientConnection> _connections = [];
    private bool _disposed;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Uri uri = request.RequestUri ?? throw new InvalidOperationException("the request has no URI");
        if (request.Version != HttpVersion.Version20) throw new HttpRequestException($"{nameof(DirectHttp2Handler)} speaks HTTP/2 only, not HTTP/{request.Version}");
        List<(string, string)> headers = RequestHeaders(request, uri);
        Http2ClientConnection connection = await ConnectionAsync(uri, cancellationToken).ConfigureAwait(false);
        Http2ClientStream stream;
        try
        {
            stream = await connection.OpenStreamAsync(headers, endStream: request.Content is null, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException) when (!connection.IsUsable)
        {
            // The connection died (or was told to go away) before this request left: nothing reached the server, so
            // one more try on a fresh connection is safe, as SocketsHttpHandler does.
            connection = await ConnectionAsync(uri, cancellationToken).ConfigureAwait(false);
            stream = await connection.OpenStreamAsync(headers, endStream: request.Content is null, cancellationToken).ConfigureAwait(false);
        }
        if (request.Content is HttpContent content) _ = SendBodyAsync(connection, stream, content, cancellationToken);
        List<(string Name, string Value)> fields;
        try
        {
            fields = await stream.ResponseHeaders.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException e)
        {
            await connection.ResetStreamAsync(stream, e).ConfigureAwait(false);
            throw;
        }
        var response = new HttpResponseMessage((HttpStatusCode)stream.StatusCode)
        {
            Version = HttpVersion.Version20,
            RequestMessage = request,
        };
        var body = new Http2ResponseContent(new Http2ResponseBodyStream(connection, stream, response));
        response.Content = body;
        foreach (var (name, value) in fields.Where(f => !f.Name.StartsWith(':')))
            if (!response.Headers.TryAddWithoutValidation(name, value)) body.Headers.TryAddWithoutValidation(name, value);
        return response;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            List<Http2ClientConnection> open;
            lock (_gate)
            {
                _disposed = true;
                open = [.. _connections];
                _connections.Clear();
            }
            foreach (Http2ClientConnection connection in open) connection.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
        base.Dispose(disposing);
    }

    private static List<(string, string)> RequestHeaders(HttpRequestMessage request, Uri uri)
    {
        var headers = new List<(string, string)>
        {
            (":method", request.Method.Method), (":scheme", uri.Scheme), (":authority", uri.Authority), (":path", uri.PathAndQuery),
        };
        IEnumerable<KeyValuePair<string, HeaderStringValues>> all = request.Headers.NonValidated;
        if (request.Content is not null) all = all.Concat(request.Content.Headers.NonValidated);
        foreach (var (name, values) in all)
        {
            if (ConnectionHeaders.Contains(name)) continue;
            foreach (string value in values) headers.Add((name.ToLowerInvariant(), value));
        }
        return headers;
    }

    /// <summary>Streams the request body, then END_STREAM; a failed or abandoned body resets the stream.</summary>
    private static async Task SendBodyAsync(Http2ClientConnection connection, Http2ClientStream stream, HttpContent content, CancellationToken cancellationToken)
    {
        try
        {
            var body = new Http2RequestBodyStream(connection, stream, cancellationToken);
            await content.CopyToAsync(body, cancellationToken).ConfigureAwait(false);
            await body.EndAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            await connection.ResetStreamAsync(stream, e is OperationCanceledException or IOException or HttpProtocolException ? e : new IOException($"the request body failed: {e.Message}", e)).ConfigureAwait(false);
        }
    }

    private async Task<Http2ClientConnection> ConnectionAsync(Uri uri, CancellationToken cancellationToken)
    {
        if (Reusable() is Http2ClientConnection ready) return ready;
        await _connecting.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (Reusable() is Http2ClientConnection raced) return raced;
            Http2ClientConnection connection = await Http2ClientConnection.ConnectAsync(uri, settings, cancellationToken).ConfigureAwait(false);
            lock (_gate)
            {
                if (!_disposed)
                {
                    _connections.Add(connection);
                    return connection;
                }
            }
            await connection.DisposeAsync().ConfigureAwait(false);
            throw new ObjectDisposedException(nameof(DirectHttp2Handler));
        }
        finally
        {
            _connecting.Release();
        }
    }

    /// <summary>A connection with room for another stream; connections that can take none ever again are dropped (their streams finish on their own).</summary>
    private Http2ClientConnection? Reusable()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _connections.RemoveAll(c => !c.IsUsable);
            return _connections.FirstOrDefault(c => c.CanOpenStream);
        }
    }
}
