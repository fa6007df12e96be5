using System.Runtime.CompilerServices;
using AgentFense.Api.V1;
using AgentFense.Internal;
using Grpc.Core;
using Grpc.Net.Client;

namespace AgentFense;

/// <summary>
/// The low-level client: one async method per RPC of <c>sandbox.v1</c> and of AgentFense's additions, taking
/// and returning the wire messages (<c>AgentFense.Api.V1</c>). One HTTP/2 channel serves every call; calls that
/// change nothing are retried on UNAVAILABLE; every error is an <see cref="AgentFenseException"/> subclass.
/// </summary>
/// <remarks>Thread-safe; keep one per server for the life of the application.</remarks>
public sealed partial class SandboxClient : IDisposable
{
    private readonly GrpcChannel _channel;
    private readonly bool _ownsChannel;
    private readonly Metadata? _headers;
    private readonly CodebaseService.CodebaseServiceClient _codebases;
    private readonly SandboxService.SandboxServiceClient _sandboxes;

    /// <summary>A client of the server <paramref name="options"/> (or the environment) names.</summary>
    /// <exception cref="InvalidConfigurationException">No endpoint is configured, or it is not valid.</exception>
    public SandboxClient(SandboxClientOptions? options = null)
        : this(options ?? new SandboxClientOptions(), channel: null)
    {
    }

    /// <summary>A client over an existing channel (which the caller keeps and disposes).</summary>
    public SandboxClient(GrpcChannel channel, SandboxClientOptions? options = null)
        : this(options ?? new SandboxClientOptions(), channel)
    {
    }

    private SandboxClient(SandboxClientOptions options, GrpcChannel? channel)
    {
        Options = options;
        if (channel is null)
        {
            var endpoint = options.ResolveEndpoint()
                ?? throw new InvalidConfigurationException($"no AgentFense endpoint: set SandboxClientOptions.Endpoint or {SandboxClientOptions.EndpointVariable}", "INVALID_ENDPOINT");
            channel = GrpcChannel.ForAddress(endpoint, new GrpcChannelOptions
            {
                MaxReceiveMessageSize = 128 * 1024 * 1024,
                MaxSendMessageSize = 128 * 1024 * 1024,
            });
            _ownsChannel = true;
        }
        _channel = channel;
        Endpoint = channel.Target;
        if (options.ResolveApiKey() is { } key)
            _headers = new Metadata { { "authorization", "Bearer " + key } };
        _codebases = new CodebaseService.CodebaseServiceClient(channel);
        _sandboxes = new SandboxService.SandboxServiceClient(channel);
    }

    /// <summary>The options this client was made with.</summary>
    public SandboxClientOptions Options { get; }

    /// <summary>The server's address.</summary>
    public string Endpoint { get; }

    /// <summary>The generated stub of <c>CodebaseService</c>, for what this client does not wrap.</summary>
    public CodebaseService.CodebaseServiceClient CodebaseStub => _codebases;

    /// <summary>The generated stub of <c>SandboxService</c>, for what this client does not wrap.</summary>
    public SandboxService.SandboxServiceClient SandboxStub => _sandboxes;

    /// <summary>Closes the channel when this client opened it.</summary>
    public void Dispose()
    {
        if (_ownsChannel)
            _channel.Dispose();
    }

    private CallOptions CallOptions(CancellationToken cancellationToken, TimeSpan? extra = null, bool stream = false)
    {
        DateTime? deadline = !stream && Options.Deadline is { } d ? DateTime.UtcNow + d + (extra ?? TimeSpan.Zero) : null;
        return new CallOptions(_headers, deadline, cancellationToken);
    }

    /// <summary>One unary call, tried again on UNAVAILABLE when <paramref name="idempotent"/>, errors mapped.</summary>
    private async Task<T> UnaryAsync<T>(Func<CallOptions, AsyncUnaryCall<T>> call, bool idempotent, CancellationToken cancellationToken, TimeSpan? extraDeadline = null)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                using var running = call(CallOptions(cancellationToken, extraDeadline));
                return await running.ResponseAsync.ConfigureAwait(false);
            }
            // Only a transport failure is retried: an UNAVAILABLE the server answered itself (with a reason, e.g.
            // DOCKER_UNAVAILABLE) would answer the same again.
            catch (RpcException e) when (idempotent && e.StatusCode == StatusCode.Unavailable && ErrorMapper.ReasonOf(e) is null
                && attempt < Options.MaxRetries && !cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(Backoff(attempt), cancellationToken).ConfigureAwait(false);
            }
            catch (RpcException e)
            {
                throw ErrorMapper.Map(e, cancellationToken);
            }
            catch (HttpRequestException e)
            {
                throw new ConnectionException($"cannot reach {Endpoint}: {e.Message}", null, e);
            }
        }
    }

    /// <summary>The messages of a server stream, errors mapped; disposing the enumerator cancels the call.</summary>
    private async IAsyncEnumerable<T> ServerStreamAsync<T>(Func<CallOptions, AsyncServerStreamingCall<T>> call,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var running = call(CallOptions(cancellationToken, stream: true));
        while (true)
        {
            bool more;
            try
            {
                more = await running.ResponseStream.MoveNext(cancellationToken).ConfigureAwait(false);
            }
            catch (RpcException e)
            {
                throw ErrorMapper.Map(e, cancellationToken);
            }
            if (!more)
                yield break;
            yield return running.ResponseStream.Current;
        }
    }

    private TimeSpan Backoff(int attempt) =>
        Options.RetryDelay * Math.Pow(2, attempt) * (0.75 + Random.Shared.NextDouble() / 2);
}
