using AgentFense.Engine;
using Grpc.Core;
using Grpc.Core.Interceptors;

namespace AgentFense.Server.Services;

/// <summary>Maps the engine's exceptions to the status codes of the contract at the API edge.</summary>
internal sealed class EngineErrorInterceptor : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(request, context);
        }
        catch (Exception e) when (Map(e) is { } mapped)
        {
            throw mapped;
        }
    }

    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(requestStream, context);
        }
        catch (Exception e) when (Map(e) is { } mapped)
        {
            throw mapped;
        }
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(request, responseStream, context);
        }
        catch (Exception e) when (Map(e) is { } mapped)
        {
            throw mapped;
        }
    }

    public override async Task DuplexStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(requestStream, responseStream, context);
        }
        catch (Exception e) when (Map(e) is { } mapped)
        {
            throw mapped;
        }
    }

    /// <summary>The status an engine exception maps to; null for an RpcException (already one) and for what the contract does not name.</summary>
    internal static RpcException? Map(Exception e) => e switch
    {
        RpcException => null,
        SandboxNotFoundException => ApiErrors.Create(StatusCode.NotFound, ApiErrors.SandboxNotFound, e.Message),
        Engine.Files.ViewFileException file => ViewFileErrors.ToRpc(file),
        SandboxStateException => ApiErrors.Create(StatusCode.FailedPrecondition, ApiErrors.SandboxNotRunning, e.Message),
        Policy.PolicyException => ApiErrors.Create(StatusCode.InvalidArgument, ApiErrors.InvalidRule, e.Message),
        ArgumentException => ApiErrors.Create(StatusCode.InvalidArgument, ApiErrors.InvalidArgument, e.Message),
        Runtime.Boxes.BoxImageNotFoundException => ApiErrors.Create(StatusCode.InvalidArgument, ApiErrors.ImageNotFound, e.Message),
        Runtime.Boxes.BoxRuntimeUnavailableException { Runtime: "docker" } => ApiErrors.Create(StatusCode.Unavailable, ApiErrors.DockerUnavailable, e.Message),
        Runtime.Boxes.BoxRuntimeUnavailableException => ApiErrors.Create(StatusCode.Unavailable, ApiErrors.RuntimeUnavailable, e.Message),
        Runtime.Boxes.BoxException => ApiErrors.Create(StatusCode.Internal, ApiErrors.BoxFailed, $"the box failed: {e.Message}"),
        Runtime.Init.InitException => ApiErrors.Create(StatusCode.Internal, ApiErrors.InitFailed, $"init failed: {e.Message}"),
        // A call racing a stop of its sandbox finds the box's init client already disposed: the sandbox is no
        // longer running, which is what the caller must hear (not INTERNAL).
        ObjectDisposedException { ObjectName: var name } when name?.EndsWith(".InitClient", StringComparison.Ordinal) == true =>
            ApiErrors.Create(StatusCode.FailedPrecondition, ApiErrors.SandboxNotRunning, "the sandbox stopped while the call was running"),
        _ => null,
    };
}
