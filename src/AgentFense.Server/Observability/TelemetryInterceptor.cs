using System.Diagnostics;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace AgentFense.Server.Observability;

/// <summary>
/// The outermost interceptor of every API call (gRPC, and REST through JSON transcoding): counts it by method and
/// final status code with its latency, counts upload bytes, logs it, and puts the request, sandbox and session ids
/// in the logging scope of everything the call logs. Only ids are read from a request, never its other fields.
/// </summary>
internal sealed class TelemetryInterceptor(ILoggerFactory loggers) : Interceptor
{
    private readonly ILogger _log = loggers.CreateLogger("AgentFense.Server.Api");

    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        using var call = Begin(context, request);
        try
        {
            return await continuation(request, context).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            call.Failed(e);
            throw;
        }
    }

    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        using var call = Begin(context, null);
        try
        {
            return await continuation(new CountingReader<TRequest>(requestStream, call.Method), context).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            call.Failed(e);
            throw;
        }
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        using var call = Begin(context, request);
        try
        {
            await continuation(request, responseStream, context).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            call.Failed(e);
            throw;
        }
    }

    public override async Task DuplexStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        using var call = Begin(context, null);
        try
        {
            await continuation(new CountingReader<TRequest>(requestStream, call.Method), responseStream, context).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            call.Failed(e);
            throw;
        }
    }

    private Call Begin(ServerCallContext context, object? request)
    {
        var method = ShortName(context.Method);
        var ids = new LogIds(context.GetHttpContext().TraceIdentifier, IdField(request, "sandbox_id"), IdField(request, "session_id"));
        Activity.Current?.SetTag("agentfense.request.id", ids.RequestId);
        if (ids.SandboxId is { Length: > 0 } sandbox)
            Activity.Current?.SetTag("agentfense.sandbox.id", sandbox);
        return new Call(_log, method, _log.BeginScope(ids));
    }

    /// <summary><c>/sandbox.v1.SandboxService/Exec</c> → <c>SandboxService/Exec</c>.</summary>
    internal static string ShortName(string method)
    {
        var service = method.LastIndexOf('/');
        var dot = service > 0 ? method.LastIndexOf('.', service) : -1;
        return dot >= 0 ? method[(dot + 1)..] : method.TrimStart('/');
    }

    private static string? IdField(object? request, string name) =>
        request is IMessage message && message.Descriptor.FindFieldByName(name) is { FieldType: Google.Protobuf.Reflection.FieldType.String } field
            && field.Accessor.GetValue(message) is string { Length: > 0 } value ? value : null;

    /// <summary>One call's measurement: started at construction, recorded at disposal with the status it ended with.</summary>
    private sealed class Call(ILogger log, string method, IDisposable? scope) : IDisposable
    {
        private readonly long _start = Stopwatch.GetTimestamp();
        private StatusCode _code = StatusCode.OK;
        private Exception? _unexpected;

        public string Method => method;

        public void Failed(Exception e)
        {
            if (e is RpcException rpc)
                _code = rpc.StatusCode;
            else if (e is OperationCanceledException)
                _code = StatusCode.Cancelled;
            else
            {
                _code = StatusCode.Unknown;
                _unexpected = e;
            }
        }

        public void Dispose()
        {
            var elapsed = Stopwatch.GetElapsedTime(_start);
            var code = CodeName(_code);
            var methodTag = new KeyValuePair<string, object?>("method", method);
            var codeTag = new KeyValuePair<string, object?>("code", code);
            ServerMetrics.Requests.Add(1, methodTag, codeTag);
            ServerMetrics.RequestDuration.Record(elapsed.TotalSeconds, methodTag, codeTag);
            var level = _code is StatusCode.Unknown or StatusCode.Internal or StatusCode.DataLoss ? LogLevel.Error : LogLevel.Information;
            if (log.IsEnabled(level))
                log.Log(level, 0, _unexpected, "{Method} {Code} in {Milliseconds:F1} ms", method, code, elapsed.TotalMilliseconds);
            scope?.Dispose();
        }
    }

    /// <summary>The status code's name as the gRPC spec spells it (NOT_FOUND).</summary>
    internal static string CodeName(StatusCode code) => code switch
    {
        StatusCode.OK => "OK",
        StatusCode.Cancelled => "CANCELLED",
        StatusCode.Unknown => "UNKNOWN",
        StatusCode.InvalidArgument => "INVALID_ARGUMENT",
        StatusCode.DeadlineExceeded => "DEADLINE_EXCEEDED",
        StatusCode.NotFound => "NOT_FOUND",
        StatusCode.AlreadyExists => "ALREADY_EXISTS",
        StatusCode.PermissionDenied => "PERMISSION_DENIED",
        StatusCode.Unauthenticated => "UNAUTHENTICATED",
        StatusCode.ResourceExhausted => "RESOURCE_EXHAUSTED",
        StatusCode.FailedPrecondition => "FAILED_PRECONDITION",
        StatusCode.Aborted => "ABORTED",
        StatusCode.OutOfRange => "OUT_OF_RANGE",
        StatusCode.Unimplemented => "UNIMPLEMENTED",
        StatusCode.Internal => "INTERNAL",
        StatusCode.Unavailable => "UNAVAILABLE",
        StatusCode.DataLoss => "DATA_LOSS",
        _ => ((int)code).ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>Counts the serialized size of each message an upload stream delivers.</summary>
    private sealed class CountingReader<T>(IAsyncStreamReader<T> inner, string method) : IAsyncStreamReader<T>
    {
        public T Current => inner.Current;

        public async Task<bool> MoveNext(CancellationToken cancellationToken)
        {
            if (!await inner.MoveNext(cancellationToken).ConfigureAwait(false))
                return false;
            if (inner.Current is IMessage message && ServerMetrics.UploadBytes.Enabled)
                ServerMetrics.UploadBytes.Add(message.CalculateSize(), new KeyValuePair<string, object?>("method", method));
            return true;
        }
    }
}
