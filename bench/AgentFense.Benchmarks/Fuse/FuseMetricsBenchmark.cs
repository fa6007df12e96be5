using System.Diagnostics;
using AgentFense.Fuse;
using AgentFense.Fuse.Diagnostics;
using BenchmarkDotNet.Attributes;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;

namespace AgentFense.Benchmarks.Fuse;

/// <summary>
/// What the FUSE dispatcher adds per request for metrics: without a subscriber (a flag check), and with the
/// OpenTelemetry subscription the server makes (clock reads, a tag from the opcode table, the SDK's histogram update).
/// </summary>
[MemoryDiagnoser]
public class FuseMetricsBenchmark
{
    private MeterProvider? _provider;

    /// <summary>Whether a MeterProvider listens to the FUSE meter.</summary>
    [Params(false, true)]
    public bool Subscribed { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        if (Subscribed)
        {
            _provider = Sdk.CreateMeterProviderBuilder().AddMeter(FuseMetrics.MeterName)
                .AddReader(new BaseExportingMetricReader(new InMemoryExporter<Metric>(new List<Metric>()))).Build();
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _provider?.Dispose();

    /// <summary>The dispatcher's metrics code around one request, as in FuseSession.Dispatch.</summary>
    [Benchmark]
    public void PerRequest()
    {
        var started = FuseMetrics.Enabled ? Stopwatch.GetTimestamp() : 0;
        if (started != 0)
            FuseMetrics.RecordOperation(FuseOpcode.Read, started);
    }
}
