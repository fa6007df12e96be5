// Usage: CrashHost DATA_DIR CGROUP_GROUP INIT_PATH CODEBASE
// Starts a manager and one sandbox, prints "ready <id> <box pid>", then sleeps until killed.
using AgentFense.Engine;
using AgentFense.Policy;

var manager = await SandboxManager.StartAsync(new SandboxManagerOptions
{
    DataDirectory = args[0],
    CgroupGroupName = args[1],
    InitPath = args[2],
});
var record = manager.Create(new SandboxSpec { CodebasePath = args[3], Rules = Presets.AgentSafe.Rules });
await manager.StartAsync(record.Id);
await manager.ExecAsync(record.Id, new AgentFense.Runtime.Init.ExecOptions { Command = "echo kept > output/crash.txt" });
Console.WriteLine($"ready {record.Id} {manager.GetBox(record.Id).Pid}");
await Task.Delay(Timeout.Infinite);
