using System.CommandLine;
using System.Runtime.InteropServices;
using AgentFense.Fuse;
using AgentFense.Policy;
using AgentFense.SandboxFs;

namespace AgentFense.Cli.Commands;

/// <summary>
/// <c>agentfense mount</c>: serves the policy view of a directory at a mount point until SIGINT/SIGTERM (or an
/// external unmount), then unmounts. The source is never modified; writes go to the delta.
/// </summary>
internal static class MountCommand
{
    public static Command Create(CliConsole console)
    {
        var options = new PolicyOptions();
        var delta = new Option<string?>("--delta")
        {
            Description = "Keep writes in this directory (kept after exit); default: a temporary one, removed at exit",
            HelpName = "DIR",
        };
        var foreground = new Option<bool>("--foreground", "-f") { Description = "Stay in the foreground (the default)" };
        var passthrough = new Option<bool>("--passthrough")
        {
            Description = "Pass reads of large read-only files straight to the host file (FUSE passthrough); " +
                          "while such a reader is open, opening the same codebase file for writing fails with ETXTBSY",
        };
        var deltaLimit = new Option<string?>("--delta-limit")
        {
            Description = "Most bytes the delta may hold, e.g. 512M or 2G (default 10G); writes past it fail with ENOSPC",
            HelpName = "SIZE",
        };
        var source = new Argument<string>("SOURCE") { Description = "The directory to serve (never modified)" }.NotAnOption();
        var mountPoint = new Argument<string>("MOUNTPOINT") { Description = "An empty directory (created if missing)" }.NotAnOption();
        var command = new Command("mount", "Serve the policy view of SOURCE at MOUNTPOINT until interrupted " +
                                           "(without --preset/--rule/--rules: the agent-safe preset)")
        {
            delta, deltaLimit, foreground, passthrough, source, mountPoint,
        };
        options.AddTo(command);
        command.SetAction((result, cancellationToken) => RunAsync(result, options, console, cancellationToken,
            result.GetValue(source)!, result.GetValue(mountPoint)!, result.GetValue(delta), result.GetValue(deltaLimit),
            result.GetValue(passthrough)));
        return command;
    }

    private static async Task<int> RunAsync(ParseResult result, PolicyOptions options, CliConsole console,
        CancellationToken cancellationToken, string source, string mountPoint, string? delta, string? deltaLimit, bool passthrough)
    {
        if (!Directory.Exists(source))
            throw new UsageException($"'{source}' is not a directory");
        var limit = deltaLimit is null ? SandboxFsOptions.DefaultDeltaLimit
            : AgentFense.Server.Configuration.ConfigValues.TryParseSize(deltaLimit, out var bytes) ? bytes
            : throw new UsageException($"--delta-limit '{deltaLimit}' is not a size (e.g. 512M, 2G)");
        var matcher = PolicyMatcher.Compile(options.ToRules(result, Presets.AgentSafe.Name));
        PrepareMountPoint(Path.GetFullPath(mountPoint), Path.GetFullPath(source));

        var temporaryDelta = delta is null;
        var deltaDirectory = delta ?? Directory.CreateTempSubdirectory("agentfense-delta-").FullName;
        try
        {
            using var mount = SandboxMount.Mount(source, mountPoint, deltaDirectory, matcher,
                new SandboxFsOptions { DeltaSizeLimit = limit, Passthrough = passthrough, Log = line => console.Error.WriteLine($"agentfense: {line}") });
            var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.TrySetResult(); });
            using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.TrySetResult(); });
            using var cancel = cancellationToken.Register(() => stop.TrySetResult());
            var ended = Task.Run(() => mount.Session.WaitForExit(Timeout.InfiniteTimeSpan), CancellationToken.None);
            console.Out.WriteLine($"agentfense: serving {Path.GetFullPath(source)} at {mount.MountPoint} " +
                                  $"(delta {deltaDirectory}); Ctrl-C to unmount");
            await console.Out.FlushAsync(CancellationToken.None);
            if (await Task.WhenAny(stop.Task, ended) == ended)
                console.Error.WriteLine("agentfense: the mount was removed from outside; exiting");
            var refused = mount.FileSystem.Audit.TotalRefused;
            if (refused > 0)
                console.Error.WriteLine($"agentfense: {refused} operation(s) were refused by the policy");
        }
        finally
        {
            if (temporaryDelta)
                TryDelete(deltaDirectory);
        }
        return ExitCodes.Ok;
    }

    private static void PrepareMountPoint(string mountPoint, string source)
    {
        if (mountPoint == source || mountPoint.StartsWith(source + "/", StringComparison.Ordinal))
            throw new UsageException($"the mount point '{mountPoint}' may not be inside the source '{source}'");
        // A mount left by a killed server answers ENOTCONN; clear it rather than refuse.
        if (FuseMounts.IsStale(mountPoint))
            FuseMounts.ClearStale(mountPoint);
        Directory.CreateDirectory(mountPoint);
        if (Directory.EnumerateFileSystemEntries(mountPoint).Any())
            throw new UsageException($"the mount point '{mountPoint}' is not empty");
    }

    private static void TryDelete(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
