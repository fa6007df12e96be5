namespace AgentFense.Embedded.Internal;

/// <summary>Hands the shared engine to the SDK's backend choice.</summary>
internal static class Registration
{
    public static void Register(Func<SandboxOptions, CancellationToken, Task<ISandboxBackend>> factory) =>
        AgentFense.Internal.BackendResolver.LocalFactory ??= factory;
}
