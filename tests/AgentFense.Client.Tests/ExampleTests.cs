using AgentFense.Examples;

namespace AgentFense.Client.Tests;

/// <summary>The examples in examples/sdk-*, run in both modes.</summary>
public abstract class ExampleSuite<TMode>(TMode mode) : IClassFixture<TMode> where TMode : SdkMode
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static string Copy()
    {
        TestSupport.Requires.Fuse();
        TestSupport.Requires.Bwrap();
        return ExampleProject.CopyAcmeApi();
    }

    [Fact]
    [Trait("Requires", "Bwrap")]
    public async Task QuickStart_PrintsTheWorkspace()
    {
        var directory = Copy();
        try
        {
            var output = new StringWriter();
            Assert.Equal(0, await QuickStart.RunAsync(directory, output, await mode.OptionsAsync(), Token));
            Assert.Contains("hello from /workspace", output.ToString(), StringComparison.Ordinal);
            Assert.DoesNotContain("'.env'", output.ToString(), StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    [Trait("Requires", "Bwrap")]
    public async Task AgentLoop_ReadsCode_CannotSeeSecrets_WritesOutput_CommitsAfterReview()
    {
        var directory = Copy();
        try
        {
            var output = new StringWriter();
            var (steps, committed) = await AgentLoop.RunAsync(directory, output, await mode.OptionsAsync(), Token);
            var byCommand = steps.ToDictionary(s => s.Command);
            Assert.DoesNotContain(".env", byCommand["ls -a"].Stdout.Split('\n'));
            Assert.Equal(0, byCommand["cat src/acme/db/orders.py | head -5"].ExitCode);
            Assert.Contains("No such file", byCommand["cat .env"].Stderr, StringComparison.Ordinal);
            Assert.NotEqual(0, byCommand["ls secrets"].ExitCode);
            Assert.Contains("Permission denied", byCommand["cat scripts/deploy.sh"].Stderr, StringComparison.Ordinal);
            Assert.Contains("deploy.sh", byCommand["ls -l scripts"].Stdout, StringComparison.Ordinal);
            Assert.NotEqual(0, byCommand["echo 'hacked' >> src/acme/api/server.py"].ExitCode);
            Assert.Equal(["output/function-count.txt"], committed.Select(c => c.Path));
            Assert.True(File.Exists(Path.Combine(directory, "output", "function-count.txt")) || mode is RemoteMode,
                "in-process the commit lands in the project directory");
            Assert.DoesNotContain("hacked", File.ReadAllText(Path.Combine(directory, "src", "acme", "api", "server.py")), StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    [Trait("Requires", "Bwrap")]
    public async Task ManySandboxes_FiftyInParallel_EachWithItsOwnDelta()
    {
        var directory = Copy();
        try
        {
            var output = new StringWriter();
            var outcomes = await ManySandboxes.RunAsync(directory, output, 50, await mode.OptionsAsync(), Token);
            TestContext.Current.TestOutputHelper?.WriteLine($"{mode.Name}: {output}");
            Assert.Equal(50, outcomes.Select(o => o.SandboxId).Distinct().Count());
            foreach (var outcome in outcomes)
            {
                Assert.Equal(outcome.Index.ToString(System.Globalization.CultureInfo.InvariantCulture), outcome.Own);
                Assert.Equal(["worker.txt"], outcome.Visible);
            }
            foreach (var outcome in outcomes)
                Assert.True(await mode.IsGoneAsync(outcome.SandboxId), $"sandbox {outcome.SandboxId} left behind");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}

/// <summary>The examples against a real server.</summary>
public sealed class RemoteExampleTests(RemoteMode mode) : ExampleSuite<RemoteMode>(mode);

/// <summary>The examples in-process.</summary>
public sealed class EmbeddedExampleTests(EmbeddedMode mode) : ExampleSuite<EmbeddedMode>(mode);
