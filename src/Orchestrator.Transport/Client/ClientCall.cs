using System.IO.Pipelines;
using System.Net;
using System.Net.Http.Headers;
using Orchestrator.Transport.Wire;

namespace Orchestrator.Transport.Client;

/// <summary>
/// One call on the client. Sends the request as an HTTP/2 stream, reads response frames, and settles the status
/// exactly once: from trailers (or a Trailers-Only response), or locally from a deadline, a cancellation or a
/// failure, in which case the stream is reset.
/// </summary>
internal sealed class ClientCall<TRequest, TResponse> : IClientCall, IAsyncStreamReader<TResponse>, IClientStreamWriter<TRequest>
{
    private static readonly TimeSpan LongestTimer = TimeSpan.FromMilliseconds(uint.MaxValue - 1);
    private static readonly Status CancelledByClient = new(StatusCode.Cancelled, "Call canceled by the client.");
    private static readonly Status DeadlineExceeded = new(StatusCode.DeadlineExceeded, "Deadline Exceeded");
    private static readonly Status Disposed = new(StatusCode.Cancelled, "The call was disposed before it finished.");
    private static readonly StreamPipeReaderOptions ReaderOptions = new(bufferSize: 64 * 1024, minimumReadSize: 16 * 1024);

    private readonly GrpcChannel _channel;
    private readonly Method<TRequest, TResponse> _method;
    private readonly CallOptions _options;
    private readonly DateTime? _deadline;
    private readonly CancellationTokenSource _callSource = new();
    private readonly Lock _gate = new();
    private CancellationTokenRegistration _cancellation;
    private Timer? _deadlineTimer;
    private HttpRequestMessage? _request;
    private GrpcRequestContent? _content;
    private Task<HttpResponseMessage> _responseTask = null!;
    private HttpResponseMessage? _response;
    private Metadata? _responseHeaders;
    private (Status Status, Metadata Trailers)? _trailersOnly;
    private PipeReader? _reader;
    private Status? _status;
    private Metadata? _trailers;
    private int _writing;
    private bool _requestCompleted;

    public ClientCall(GrpcChannel channel, Method<TRequest, TResponse> method, CallOptions options)
    {
        _channel = channel;
        _method = method;
        _options = options;
        _deadline = options.Deadline is DateTime d && d.Kind == DateTimeKind.Local ? d.ToUniversalTime() : options.Deadline;
    }

    public TResponse Current { get; private set; } = default!;

    /// <summary>Sends the request headers; <paramref name="request"/> is the single request unless the request side streams.</summary>
    public void Start(bool streamingRequest, TRequest request)
    {
        TimeSpan? timeout = _deadline - DateTime.UtcNow;
        Status? early = timeout <= TimeSpan.Zero ? DeadlineExceeded : _options.CancellationToken.IsCancellationRequested ? CancelledByClient : null;
        try
        {
            if (early is Status s) throw new RpcException(s);
            _content = streamingRequest
                ? GrpcRequestContent.Streaming()
                : GrpcRequestContent.Single(FrameWriter.Encode(request, _method.RequestMarshaller.Serializer, _channel.Options.MaxSendMessageSize, pooled: false).Frame);
            _request = BuildRequest(timeout);
        }
        catch (Exception e)
        {
            _responseTask = Observed(Task.FromException<HttpResponseMessage>(Fail(e)));
            return;
        }
        _responseTask = Observed(SendAsync(_request));
        _cancellation = _options.CancellationToken.Register(static call => ((ClientCall<TRequest, TResponse>)call!).Cancel(CancelledByClient), this);
        if (timeout is TimeSpan t && t <= LongestTimer)
            _deadlineTimer = new Timer(static call => ((ClientCall<TRequest, TResponse>)call!).Cancel(DeadlineExceeded), this, t, Timeout.InfiniteTimeSpan);
    }

    public async Task<Metadata> ResponseHeadersAsync()
    {
        await _responseTask.ConfigureAwait(false);
        return _responseHeaders!;
    }

    /// <summary>The single response of a unary or client-streaming call, after the trailers confirm it.</summary>
    public Task<TResponse> GetResponseAsync() => Observed(ReadSingleResponseAsync());

    private async Task<TResponse> ReadSingleResponseAsync()
    {
        var (found, response) = await ReadMessageAsync(CancellationToken.None).ConfigureAwait(false);
        if (found)
        {
            var (extra, _) = await ReadMessageAsync(CancellationToken.None).ConfigureAwait(false);
            if (extra) throw Fail(new RpcException(StatusCode.Internal, $"{_method.FullName} sent more than one response message."));
        }
        SettleStatus(found ? null : new Status(StatusCode.Internal, $"{_method.FullName} finished without a response message."));
        ThrowIfFailed();
        return response;
    }

    public async Task<bool> MoveNext(CancellationToken cancellationToken = default)
    {
        var (found, message) = await ReadMessageAsync(cancellationToken).ConfigureAwait(false);
        if (found)
        {
            Current = message;
            return true;
        }
        SettleStatus(null);
        ThrowIfFailed();
        return false;
    }

    public async Task WriteAsync(TRequest message, CancellationToken cancellationToken = default)
    {
        ThrowIfFinished();
        if (_requestCompleted) throw new InvalidOperationException("The request stream is complete; no more requests can be written.");
        if (Interlocked.Exchange(ref _writing, 1) == 1) throw new InvalidOperationException("A write is already in progress; await it before writing again.");
        try
        {
            using CancellationTokenRegistration registration = RegisterCancellation(cancellationToken);
            Stream stream = await _content!.GetStreamAsync(_callSource.Token).ConfigureAwait(false);
            await FrameWriter.WriteAsync(stream, message, _method.RequestMarshaller, _channel.Options.MaxSendMessageSize, _callSource.Token).ConfigureAwait(false);
        }
        catch (RpcException e)
        {
            // Our own refusal (RESOURCE_EXHAUSTED, a serializer failure) ends the call.
            throw Fail(e);
        }
        catch (Exception e)
        {
            // The server may have answered and closed the stream; its status, when known, says why the write failed.
            lock (_gate)
            {
                if (_status is Status status) throw new RpcException(status, _trailers, e);
                if (_trailersOnly is var (trailersOnlyStatus, trailers)) throw new RpcException(trailersOnlyStatus, trailers, e);
            }
            throw new RpcException(StatusMapping.FromException(e), innerException: e);
        }
        finally
        {
            Volatile.Write(ref _writing, 0);
        }
    }

    public Task CompleteAsync()
    {
        ThrowIfFinished();
        if (Volatile.Read(ref _writing) == 1) throw new InvalidOperationException("A write is in progress; await it before completing the request stream.");
        _requestCompleted = true;
        _content?.Complete();
        return Task.CompletedTask;
    }

    public Status GetStatus()
    {
        lock (_gate) return _status ?? throw new InvalidOperationException($"{_method.FullName} has not finished; its status is not known yet.");
    }

    public Metadata GetTrailers()
    {
        lock (_gate) return _trailers ?? throw new InvalidOperationException($"{_method.FullName} has not finished; its trailers are not known yet.");
    }

    public void Dispose()
    {
        Cancel(Disposed);
        _reader?.Complete();
        _response?.Dispose();
        _request?.Dispose();
        _callSource.Dispose();
    }

    private HttpRequestMessage BuildRequest(TimeSpan? timeout)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_channel.Address, _method.FullName))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = _content,
        };
        HttpRequestHeaders headers = request.Headers;
        headers.TE.Add(new TransferCodingWithQualityHeaderValue(GrpcProtocol.TeTrailers));
        headers.TryAddWithoutValidation("user-agent", _channel.Options.UserAgent);
        headers.TryAddWithoutValidation(GrpcProtocol.AcceptEncodingHeader, GrpcProtocol.IdentityEncoding);
        if (timeout is TimeSpan t) headers.TryAddWithoutValidation(GrpcProtocol.TimeoutHeader, GrpcTimeout.Format(t));
        Metadata metadata = _options.Headers ?? new Metadata();
        if (_channel.Options.BearerToken is string token && metadata.Get(GrpcProtocol.AuthorizationHeader) is null)
            headers.TryAddWithoutValidation(GrpcProtocol.AuthorizationHeader, $"Bearer {token}");
        foreach (var (name, value) in MetadataHeaders.ToHeaders(metadata)) headers.TryAddWithoutValidation(name, value);
        return request;
    }

    /// <summary>Sends the request and checks the response headers; a Trailers-Only response is kept for the readers.</summary>
    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request)
    {
        HttpResponseMessage response;
        try
        {
            response = await _channel.HttpInvoker.SendAsync(request, _callSource.Token).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            throw Fail(e);
        }
        lock (_gate)
        {
            if (_status is Status finished)
            {
                response.Dispose();
                throw new RpcException(finished, _trailers);
            }
            _response = response;
        }
        try
        {
            _responseHeaders = MetadataHeaders.FromHeaders(response.Headers.Select(h => KeyValuePair.Create(h.Key, (IEnumerable<string?>)h.Value)));
            Status? headerStatus = ReadStatus(response.Headers);
            if (response.StatusCode != HttpStatusCode.OK)
                throw new RpcException(headerStatus ?? StatusMapping.FromHttpStatus(response.StatusCode), _responseHeaders);
            if (headerStatus is Status status)
            {
                _trailersOnly = (status, _responseHeaders);
                // The server has ended the call: a request stream still open would wait for a body nobody reads.
                _content?.Abort();
                return response;
            }
            string? contentType = response.Content.Headers.ContentType?.ToString();
            if (!GrpcProtocol.IsGrpcContentType(contentType))
                throw new RpcException(StatusCode.Internal, $"Bad gRPC response. Invalid content-type value: '{contentType}'.");
            return response;
        }
        catch (Exception e)
        {
            throw Fail(e);
        }
    }

    /// <summary>The next response message; Found is false when the response body has ended.</summary>
    private async ValueTask<(bool Found, TResponse Message)> ReadMessageAsync(CancellationToken cancellationToken)
    {
        HttpResponseMessage response = await _responseTask.ConfigureAwait(false);
        lock (_gate)
        {
            if (_status is Status status)
            {
                if (status.StatusCode == StatusCode.OK) return (false, default!);
                throw new RpcException(status, _trailers);
            }
            if (_trailersOnly is not null) return (false, default!);
        }
        try
        {
            using CancellationTokenRegistration registration = RegisterCancellation(cancellationToken);
            _reader ??= PipeReader.Create(await response.Content.ReadAsStreamAsync(_callSource.Token).ConfigureAwait(false), ReaderOptions);
            return await FrameReader.ReadAsync(_reader, _method.ResponseMarshaller.Deserializer, _channel.Options.MaxReceiveMessageSize, _callSource.Token).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            throw Fail(e);
        }
    }

    /// <summary>
    /// Settles the status from the trailers once the response body has ended, unless the call has ended already.
    /// <paramref name="insteadOfOk"/> replaces an OK status that the response's shape contradicts.
    /// </summary>
    private void SettleStatus(Status? insteadOfOk)
    {
        HttpResponseMessage response = _responseTask.Result;
        var (status, trailers) = _trailersOnly ?? (ReadStatus(response.TrailingHeaders) ?? new Status(StatusCode.Internal, "No grpc-status found on response."),
            MetadataHeaders.FromHeaders(response.TrailingHeaders.Select(h => KeyValuePair.Create(h.Key, (IEnumerable<string?>)h.Value))));
        if (status.StatusCode == StatusCode.OK && insteadOfOk is Status replacement) status = replacement;
        lock (_gate)
        {
            if (_status is not null) return;
            _status = status;
            _trailers = trailers;
        }
        StopTimers();
        _content?.Abort();
    }

    /// <summary>Ends the call locally with <paramref name="status"/> and resets the stream; nothing happens if the call has ended.</summary>
    private void Cancel(Status status)
    {
        HttpResponseMessage? response;
        lock (_gate)
        {
            if (_status is not null) return;
            _status = status;
            _trailers = new Metadata();
            response = _response;
        }
        StopTimers();
        try
        {
            _callSource.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // Disposed concurrently: the stream is going away anyway.
        }
        _content?.Abort();
        response?.Dispose();
    }

    /// <summary>Ends the call for <paramref name="e"/>, unless it has ended already; the exception to throw carries the final status.</summary>
    private RpcException Fail(Exception e)
    {
        Status status = StatusMapping.FromException(e);
        // A peer that resets the stream at its deadline races our own timer; past the deadline, it is the deadline.
        if (status.StatusCode == StatusCode.Cancelled && _deadline <= DateTime.UtcNow) status = DeadlineExceeded;
        Cancel(status);
        lock (_gate) return new RpcException(_status!.Value, _trailers, e);
    }

    /// <summary>Writing to, or completing, a call that has ended: its failure, or a plain misuse if it succeeded.</summary>
    private void ThrowIfFinished()
    {
        ThrowIfFailed();
        lock (_gate)
            if (_status is not null) throw new InvalidOperationException($"{_method.FullName} is complete; its request stream is closed.");
    }

    private void ThrowIfFailed()
    {
        lock (_gate)
            if (_status is Status status && status.StatusCode != StatusCode.OK) throw new RpcException(status, _trailers);
    }

    private CancellationTokenRegistration RegisterCancellation(CancellationToken cancellationToken) =>
        cancellationToken.Register(static call => ((ClientCall<TRequest, TResponse>)call!).Cancel(CancelledByClient), this);

    private void StopTimers()
    {
        _deadlineTimer?.Dispose();
        _cancellation.Dispose();
    }

    /// <summary>
    /// Marks a failure as seen, so a call whose outcome the caller never awaits (it only disposed the call, or
    /// only read the status) does not raise UnobservedTaskException; awaiting the task still throws.
    /// </summary>
    private static Task<T> Observed<T>(Task<T> task)
    {
        task.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return task;
    }

    private static Status? ReadStatus(HttpHeaders headers)
    {
        if (!headers.TryGetValues(GrpcProtocol.StatusTrailer, out IEnumerable<string>? values)) return null;
        string? message = headers.TryGetValues(GrpcProtocol.MessageTrailer, out IEnumerable<string>? messages) ? PercentEncoding.Decode(string.Join(",", messages)) : "";
        string text = values.First();
        return int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int code) && code is >= 0 and <= 16
            ? new Status((StatusCode)code, message)
            : new Status(StatusCode.Unknown, $"Unexpected grpc-status '{text}': {message}");
    }
}
