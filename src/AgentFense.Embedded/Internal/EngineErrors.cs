using AgentFense.Runtime.Boxes;
using AgentFense.Runtime.Init;
using EngineSandboxNotFound = AgentFense.Engine.SandboxNotFoundException;
using SandboxStateException = AgentFense.Engine.SandboxStateException;

namespace AgentFense.Embedded.Internal;

/// <summary>The engine's exceptions as the SDK's, with the status codes and reasons the server would answer.</summary>
internal static class EngineErrors
{
    /// <summary>The SDK exception of <paramref name="e"/>, or null to let it pass unchanged.</summary>
    public static Exception? Map(Exception e) => e switch
    {
        AgentFenseException or OperationCanceledException => null,
        Engine.Files.ViewFileException file => ViewFileErrors.Map(file),
        EngineSandboxNotFound notFound => new SandboxNotFoundException($"no sandbox '{notFound.SandboxId}'", "SANDBOX_NOT_FOUND", e),
        SandboxStateException state => new SandboxNotRunningException($"sandbox '{state.SandboxId}' is not running ({state.State.ToString().ToLowerInvariant()}): {e.Message}", "SANDBOX_NOT_RUNNING", e),
        Policy.PolicyException => new InvalidConfigurationException(e.Message, "INVALID_RULE", e),
        BoxImageNotFoundException => new ImageNotFoundException(e.Message, "IMAGE_NOT_FOUND", e),
        BoxRuntimeUnavailableException { Runtime: "docker" } => new SandboxRuntimeException(e.Message, "DOCKER_UNAVAILABLE", e, Grpc.Core.StatusCode.Unavailable),
        BoxException => new SandboxRuntimeException($"the box failed: {e.Message}", "BOX_FAILED", e),
        InitException => new SandboxRuntimeException($"init failed: {e.Message}", "INIT_FAILED", e),
        ArgumentException => new InvalidArgumentException(e.Message, "INVALID_ARGUMENT", e),
        _ => null,
    };

    /// <summary>Runs <paramref name="action"/>, raising the SDK's exceptions for the engine's.</summary>
    public static async Task<T> Guard<T>(Func<Task<T>> action)
    {
        try
        {
            return await action().ConfigureAwait(false);
        }
        catch (Exception e) when (Map(e) is { } mapped)
        {
            throw mapped;
        }
    }

    /// <summary>Runs <paramref name="action"/>, raising the SDK's exceptions for the engine's.</summary>
    public static async Task Guard(Func<Task> action)
    {
        try
        {
            await action().ConfigureAwait(false);
        }
        catch (Exception e) when (Map(e) is { } mapped)
        {
            throw mapped;
        }
    }
}
