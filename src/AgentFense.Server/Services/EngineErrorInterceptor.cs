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

    private static RpcException? Map(Exception e) => e switch
    {
        RpcException => null,
        SandboxNotFoundException => new RpcException(new Status(StatusCode.NotFound, e.Message)),
        SandboxStateException => new RpcException(new Status(StatusCode.FailedPrecondition, e.Message)),
        Policy.PolicyException or ArgumentException => new RpcException(new Status(StatusCode.InvalidArgument, e.Message)),
        Runtime.Boxes.BoxException => new RpcException(new Status(StatusCode.Internal, $"the box failed: {e.Message}")),
        Runtime.Init.InitException => new RpcException(new Status(StatusCode.Internal, $"init failed: {e.Message}")),
        _ => null,
    };
}
