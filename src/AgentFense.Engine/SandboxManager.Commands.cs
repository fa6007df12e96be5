using AgentFense.Runtime.Init;

namespace AgentFense.Engine;

public sealed partial class SandboxManager
{
    /// <summary>
    /// Runs a command in running sandbox <paramref name="id"/> to its end and collects its output. The box's
    /// default environment and the workspace as working directory apply where <paramref name="options"/> give none.
    /// </summary>
    /// <exception cref="SandboxStateException">The sandbox is not running.</exception>
    /// <exception cref="InitException">Init could not start the command.</exception>
    public async Task<ExecResult> ExecAsync(string id, ExecOptions options, CancellationToken cancellationToken = default)
    {
        using var activity = Diagnostics.EngineTracing.Source.StartActivity("sandbox.exec");
        activity?.SetTag(Diagnostics.EngineTracing.SandboxTag, id);
        var box = GetBox(id);
        var result = await box.Client.ExecAsync(box.WithDefaults(options), cancellationToken).ConfigureAwait(false);
        activity?.SetTag("process.exit.code", result.ExitCode);
        return result;
    }

    /// <summary>Runs a command and yields its output chunks as they come; the last item carries the exit status.</summary>
    /// <exception cref="SandboxStateException">The sandbox is not running.</exception>
    public IAsyncEnumerable<OutputChunk> ExecStreamAsync(string id, ExecOptions options, CancellationToken cancellationToken = default)
    {
        var box = GetBox(id);
        return box.Client.ExecStreamAsync(box.WithDefaults(options), cancellationToken);
    }

    /// <summary>Starts a command and returns once it runs: read its output, write its stdin, signal or cancel it.</summary>
    /// <exception cref="SandboxStateException">The sandbox is not running.</exception>
    public Task<CommandExecution> StartCommandAsync(string id, ExecOptions options, CancellationToken cancellationToken = default)
    {
        var box = GetBox(id);
        return box.Client.StartAsync(box.WithDefaults(options), cancellationToken);
    }

    /// <summary>Starts a background process whose output is kept for reading later.</summary>
    /// <exception cref="SandboxStateException">The sandbox is not running.</exception>
    public Task<BackgroundProcess> StartBackgroundAsync(string id, ExecOptions options, CancellationToken cancellationToken = default)
    {
        var box = GetBox(id);
        return box.Client.StartBackgroundAsync(box.WithDefaults(options), cancellationToken);
    }

    /// <summary>
    /// Starts a persistent shell session in running sandbox <paramref name="id"/>, with the box's default
    /// environment and the workspace as working directory where <paramref name="options"/> give none.
    /// </summary>
    /// <exception cref="SandboxStateException">The sandbox is not running.</exception>
    public Task<InitSession> CreateSessionAsync(string id, SessionOptions? options = null, CancellationToken cancellationToken = default)
    {
        var box = GetBox(id);
        options ??= new SessionOptions();
        var environment = options.Environment.Count != 0 ? options.Environment
            : options.Pty is not null && !box.Environment.Any(e => e.StartsWith("TERM=", StringComparison.Ordinal)) ? [.. box.Environment, "TERM=xterm-256color"]
            : box.Environment;
        options = options with
        {
            Environment = environment,
            WorkingDirectory = options.WorkingDirectory ?? box.Spec.WorkspacePath,
        };
        return box.Client.CreateSessionAsync(options, cancellationToken);
    }
}
