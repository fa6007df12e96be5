using AgentFense.TestSupport;

namespace AgentFense.Policy.Tests;

public class RulesFileTests
{
    [Fact]
    public void Parse_Yaml_AllFields()
    {
        var rules = RulesFile.Parse("""
            - pattern: src/**
              permission: write
              priority: 20
            - pattern: build
              permission: none
              type: directory
            """, "rules.yaml");
        Assert.Equal(
            [new PermissionRule("src/**", Permission.Write, PatternType.Glob, 20), new PermissionRule("build", Permission.None, PatternType.Directory)],
            rules);
    }

    [Fact]
    public void Parse_Json_AllFields()
    {
        var rules = RulesFile.Parse("""
            [{"pattern": "src/**", "permission": "write", "priority": 20},
             {"pattern": "a.txt", "permission": "PERMISSION_VIEW", "type": "file"}]
            """, "rules.json");
        Assert.Equal(
            [new PermissionRule("src/**", Permission.Write, PatternType.Glob, 20), new PermissionRule("a.txt", Permission.View, PatternType.File)],
            rules);
    }

    [Fact]
    public void Load_ExampleRulesFile_Works()
    {
        var rules = RulesFile.Load(Path.Combine(RepoPaths.ExampleProject, "agentfense-rules.yaml"));
        Assert.Equal(3, rules.Count);
    }

    [Theory]
    [InlineData("- pattern: a\n  permission: reed\n", "rule 1 (line 1): unknown permission \"reed\"")]
    [InlineData("- pattern: a\n  permission: read\n- pattern: b\n  permission: read\n  type: folder\n", "rule 2 (line 3): unknown type \"folder\"")]
    [InlineData("- permission: read\n", "pattern is missing")]
    [InlineData("- pattern: a\n", "permission is missing")]
    [InlineData("- pattern: a\n  permission: read\n  priority: x\n", "not an integer")]
    [InlineData("- pattern: a\n  permission: read\n  colour: red\n", "unknown key \"colour\"")]
    [InlineData("- pattern: 'src/[a'\n  permission: read\n", "unbalanced")]
    [InlineData("pattern: a\n", "expected a YAML list")]
    [InlineData("- [a, b\n", "not valid YAML")]
    public void Parse_BadYaml_NamesFileRuleAndProblem(string text, string expected)
    {
        var e = Assert.Throws<PolicyException>(() => RulesFile.Parse(text, "my-rules.yaml"));
        Assert.StartsWith("my-rules.yaml: ", e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Theory]
    [InlineData("[{\"pattern\": \"a\"", "not valid JSON")]
    [InlineData("{\"pattern\": \"a\"}", "expected a JSON array")]
    [InlineData("[{\"pattern\": \"a\", \"permission\": \"all\"}]", "unknown permission \"all\"")]
    [InlineData("[\"a=read\"]", "expected an object")]
    public void Parse_BadJson_NamesFileAndProblem(string text, string expected)
    {
        var e = Assert.Throws<PolicyException>(() => RulesFile.Parse(text, "r.json"));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Load_MissingFile_IsPolicyError()
    {
        var e = Assert.Throws<PolicyException>(() => RulesFile.Load("/nonexistent/rules.yaml"));
        Assert.Contains("/nonexistent/rules.yaml", e.Message);
    }
}
