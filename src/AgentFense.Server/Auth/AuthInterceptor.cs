using AgentFense.Server.Services;
using Grpc.Core;
using Grpc.Core.Interceptors;

namespace AgentFense.Server.Auth;

/// <summary>
/// With API keys configured, every call (gRPC or REST through JSON transcoding) except health checks and
/// reflection needs <c>authorization: Bearer KEY</c>; missing or unknown keys answer UNAUTHENTICATED (401
/// over REST) with the ErrorInfo reason <c>UNAUTHENTICATED</c>. The key's owner becomes <see cref="Caller.Owner"/>.
/// </summary>
internal sealed class AuthInterceptor(ApiKeys keys) : Interceptor
{
    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        Authenticate(context);
        return continuation(request, context);
    }

    public override Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Authenticate(context);
        return continuation(requestStream, context);
    }

    public override Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Authenticate(context);
        return continuation(request, responseStream, context);
    }

    public override Task DuplexStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Authenticate(context);
        return continuation(requestStream, responseStream, context);
    }

    private void Authenticate(ServerCallContext context)
    {
        Caller.Owner = null;
        if (!keys.Enabled || IsOpen(context.Method))
            return;
        var header = context.GetHttpContext().Request.Headers.Authorization.ToString();
        Caller.Owner = keys.Authenticate(header.Length == 0 ? null : header)
            ?? throw ApiErrors.Create(StatusCode.Unauthenticated, ApiErrors.Unauthenticated,
                "a valid API key is required: authorization: Bearer KEY");
    }

    /// <summary>Health checks and reflection answer without a key.</summary>
    private static bool IsOpen(string method) =>
        method.StartsWith("/grpc.health.v1.", StringComparison.Ordinal) || method.StartsWith("/grpc.reflection.", StringComparison.Ordinal);
}
