using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using PruningLab.Tests.Notebooks;
using Xunit.Abstractions;

namespace PruningLab.Tests.Classroom;

/// <summary>
/// The grader on learners' notebooks built from the release: the release itself scores zero, a wrong answer fails
/// alone, edited check cells and pasted ✓ outputs change nothing, an endless loop and an unbounded allocation are
/// stopped by the limits and fail alone, a hidden check catches what the visible one misses, and code that does not
/// compile, kills the process, fakes a result or fails where the lesson uses it fails alone with the reason.
/// </summary>
public partial class GraderTests(ITestOutputHelper output) : IDisposable
{
    private const string Lesson01 = "01_fine_grained_magnitude_pruning.ipynb";
    private readonly string temp = Directory.CreateTempSubdirectory("pruninglab-grader-").FullName;

    public void Dispose() => Directory.Delete(temp, recursive: true);

    [GeneratedRegex(@"(?<begin>^[ \t]*// BEGIN (?:YOUR CODE \(exercise (?<id>[^)]+)\)|SOLUTION)[^\n]*\n)(?<body>.*?)(?<end>^[ \t]*// END (?:YOUR CODE|SOLUTION))", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex Region();

    private static string SourceOf(JsonNode cell) => string.Concat(cell["source"]!.AsArray().Select(l => l!.GetValue<string>()));

    private static void SetSource(JsonNode cell, string source)
    {
        var lines = source.Split('\n');
        cell["source"] = new JsonArray(lines.Select((l, i) => (JsonNode?)(i < lines.Length - 1 ? l + "\n" : l)).ToArray());
    }

    /// <summary>The lesson's own answers, by exercise id.</summary>
    private static Dictionary<string, string> Solutions(string lessonPath) =>
        JsonNode.Parse(File.ReadAllText(lessonPath))!["cells"]!.AsArray()
            .Where(c => c!["metadata"]?["pruninglab"]?["exercise"] is not null)
            .ToDictionary(c => c!["metadata"]!["pruninglab"]!["exercise"]!.GetValue<string>(), c => Region().Match(SourceOf(c!)).Groups["body"].Value);

    /// <summary>A learner's notebook: the release with the given answers (the lesson's solution elsewhere), optionally edited further.</summary>
    private string Submission(string releaseFolder, string lesson, string name, IReadOnlyDictionary<string, string> answers,
        Action<JsonArray>? edit = null, string? lessonFolder = null)
    {
        var solutions = Solutions(Path.Combine(lessonFolder ?? NotebookProcess.NotebooksFolder, lesson));
        var document = JsonNode.Parse(File.ReadAllText(Path.Combine(releaseFolder, lesson)))!.AsObject();
        foreach (var cell in document["cells"]!.AsArray())
        {
            var source = SourceOf(cell!);
            if (Region().Match(source) is not { Success: true } region) continue;
            var id = region.Groups["id"].Value;
            var body = answers.TryGetValue(id, out var answer) ? answer : solutions[id];
            SetSource(cell!, source[..region.Groups["body"].Index] + body + source[region.Groups["end"].Index..]);
        }
        edit?.Invoke(document["cells"]!.AsArray());
        var path = Path.Combine(temp, name, lesson);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, document.ToJsonString());
        return path;
    }

    private (NotebookProcess.Result Result, GradeReportFile Report) Grade(string instructor, string submission, params string[] options)
    {
        var reportPath = Path.Combine(temp, Path.GetFileName(Path.GetDirectoryName(submission))! + "-report.json");
        var result = NotebookProcess.Tool(["grade", "--instructor", instructor, "--report", reportPath, .. options, submission]);
        output.WriteLine($"{Path.GetFileName(submission)}: exit {result.ExitCode} after {result.Elapsed.TotalSeconds:F1} s\n{result.Output}");
        return (result, GradeReportFile.Read(reportPath));
    }

    // One lesson is enough here: how the grader scores stubs does not depend on the lesson, and every lesson's release
    // is executed to the end anyway (in dotnet-repl, LessonExecutionTests). Lesson 01 has the most exercises and a
    // hidden check. Each further lesson would add a full run to CI's budget.
    [Fact]
    public void The_release_runs_to_the_end_and_scores_zero()
    {
        const string lesson = Lesson01;
        var release = NotebookProcess.WriteRelease();
        var executed = Path.Combine(temp, "executed");
        var (result, report) = Grade(NotebookProcess.NotebooksFolder, Path.Combine(release, lesson), "--executed", executed);
        Assert.Equal(0, result.ExitCode);
        Assert.Null(report.Error);
        Assert.Equal(1, report.Runs);
        Assert.True(report.Total > 0);
        Assert.Equal(0, report.Score);
        Assert.All(report.Exercises, e => Assert.Contains("not implemented yet", e.Message));
        Assert.Empty(NotebookProcess.Errors(Path.Combine(executed, lesson)));
    }

    [Fact]
    public void A_wrong_answer_fails_alone_and_edited_checks_or_pasted_outputs_gain_nothing()
    {
        var release = NotebookProcess.WriteRelease();
        var wrong = new Dictionary<string, string> { ["1.1"] = "    return (weightIn.clone(), biasIn.clone(), weightOut.clone(), biasOut.clone());\n" };
        var honest = Submission(release, Lesson01, "honest", wrong);
        var forged = Submission(release, Lesson01, "forged", wrong, cells =>
        {
            // Every check cell rewritten to print ✓, with a stored ✓ output (text and structured result) pasted in.
            foreach (var cell in cells.Where(c => c!["metadata"]?["pruninglab"]?["check"] is not null))
            {
                var id = cell!["metadata"]!["pruninglab"]!["check"]!.GetValue<string>();
                var line = $"✓ Exercise {id}: all cases match.";
                SetSource(cell, $"Console.WriteLine(\"{line}\");");
                cell["outputs"] = new JsonArray(new JsonObject
                {
                    ["output_type"] = "display_data", ["metadata"] = new JsonObject(),
                    ["data"] = new JsonObject
                    {
                        ["text/plain"] = line,
                        ["application/vnd.pruninglab.check+json"] = new JsonObject { ["id"] = id, ["title"] = "", ["passed"] = true, ["message"] = "all cases match", ["hint"] = "" },
                    },
                });
            }
        });
        // What the grader runs is the same notebook, byte for byte, with or without the forgery.
        foreach (var (submission, folder) in new[] { (honest, "assembled-honest"), (forged, "assembled-forged") })
            Assert.Equal(0, NotebookProcess.Tool("grade", "--instructor", NotebookProcess.NotebooksFolder, "--assemble", Path.Combine(temp, folder), submission).ExitCode);
        Assert.Equal(File.ReadAllBytes(Path.Combine(temp, "assembled-honest", Lesson01)), File.ReadAllBytes(Path.Combine(temp, "assembled-forged", Lesson01)));

        var (result, report) = Grade(NotebookProcess.NotebooksFolder, forged);
        Assert.Equal(0, result.ExitCode);
        Assert.False(report["1.1"].Passed);
        Assert.Contains("should be", report["1.1"].Message);   // the instructor's check, not the forged line
        Assert.All(report.Exercises.Where(e => e.Id != "1.1"), e => Assert.True(e.Passed, $"{e.Id}: {e.Message}"));
        Assert.Equal(report.Total - report["1.1"].Points, report.Score);
        Assert.Equal(1, report.Runs);
    }

    [Fact]
    public void An_endless_loop_and_an_unbounded_allocation_fail_alone_within_the_limits_and_a_hidden_check_catches_more()
    {
        var release = NotebookProcess.WriteRelease();
        var submission = Submission(release, Lesson01, "runaway", new Dictionary<string, string>
        {
            ["1.2"] = "    while (true) { }\n",
            // Right for every visible case (all float32), wrong for the hidden float64 one.
            ["1.3"] = """
                    var values = weight.flatten().data<float>().ToArray();
                    long span = 1L << indexBits, previous = -1, entries = 0;
                    for (long position = 0; position < values.Length; position++)
                    {
                        if (values[position] == 0) continue;
                        entries += (position - previous - 1) / span + 1;
                        previous = position;
                    }
                    return entries * (indexBits + valueBits);

                """,
            ["1.4"] = "    var hoard = new List<Tensor>();\n    while (true) hoard.Add(ones(50_000_000));\n",
        });
        var (result, report) = Grade(NotebookProcess.NotebooksFolder, submission, "--check-timeout", "10", "--memory-limit", "3072");
        Assert.Equal(0, result.ExitCode);
        Assert.Null(report.Error);
        Assert.True(report["1.1"].Passed, report["1.1"].Message);
        Assert.Contains("still running after 10 s (the time limit)", report["1.2"].Message);
        Assert.Contains("used more memory than the limit", report["1.4"].Message);
        Assert.Contains("limit is 3072 MB", report["1.4"].Message);
        var checks = report["1.3"].Checks;
        Assert.True(checks.Single(c => !c.Hidden).Passed);
        Assert.False(checks.Single(c => c.Hidden).Passed);
        Assert.Contains("not in your notebook", report["1.3"].Message);
        Assert.Equal(report["1.1"].Points, report.Score);
        Assert.Equal(3, report.Runs);   // stopped in 1.2, stopped in 1.4, then to the end with both set aside
        Assert.True(result.Elapsed < TimeSpan.FromMinutes(4), $"grading took {result.Elapsed}");
    }

    /// <summary>A two-exercise lesson of a few cells, one level below the course root like the lessons.</summary>
    private static string FixtureLesson()
    {
        var folder = Path.Combine(NotebookProcess.Root, ".test-release", "fixture");
        Directory.CreateDirectory(folder);
        var setUp = SourceOf(JsonNode.Parse(File.ReadAllText(Path.Combine(NotebookProcess.NotebooksFolder, "00_setup_and_first_pruning.ipynb")))!["cells"]!
            .AsArray().First(c => c!["cell_type"]!.GetValue<string>() == "code")!).Replace("\"../lib/", "\"../../lib/");
        JsonObject Code(string source, JsonObject? tags = null)
        {
            var cell = new JsonObject { ["cell_type"] = "code", ["execution_count"] = null, ["metadata"] = new JsonObject(), ["outputs"] = new JsonArray() };
            if (tags is not null) cell["metadata"]!["pruninglab"] = tags;
            SetSource(cell, source);
            return cell;
        }
        JsonObject Text(string source) => new() { ["cell_type"] = "markdown", ["metadata"] = new JsonObject(), ["source"] = new JsonArray(source) };
        var lesson = new JsonObject
        {
            ["nbformat"] = 4, ["nbformat_minor"] = 5, ["metadata"] = new JsonObject(),
            ["cells"] = new JsonArray(
                Text("# 90 Fixture"), Code(setUp),
                Text("## Exercise 9.1 — add"), Code("int Add(int a, int b)\n{\n    // BEGIN SOLUTION\n    return a + b;\n    // END SOLUTION\n}", new() { ["exercise"] = "9.1", ["points"] = 1 }),
                // A check that states a longer limit than the grader's default (the capstone's trains): asked to, it sleeps 4 s.
                Code("if (Environment.GetEnvironmentVariable(\"PRUNINGLAB_FIXTURE_SLOW_CHECK\") == \"1\") System.Threading.Thread.Sleep(4000);\nvar check9_1 = ExerciseCheck.Run(\"9.1\", \"add\", \"Use +.\", () => (ExerciseCheck.Learner(null, () => Add(2, 3)) == 5, \"2 + 3 = 5\"));",
                    new() { ["check"] = "9.1", ["seconds"] = 30 }),
                Text("## Exercise 9.2 — twice"), Code("int Twice(int x)\n{\n    // BEGIN SOLUTION\n    return 2 * x;\n    // END SOLUTION\n}", new() { ["exercise"] = "9.2", ["points"] = 2 }),
                Code("var check9_2 = ExerciseCheck.Run(\"9.2\", \"twice\", \"Double it.\", () => (ExerciseCheck.Learner(null, () => Twice(4)) == 8, \"2 × 4 = 8\"));", new() { ["check"] = "9.2" }),
                Code("Console.WriteLine(check9_2.Passed ? Twice(21) : 42);")),
        };
        File.WriteAllText(Path.Combine(folder, "90_fixture.ipynb"), lesson.ToJsonString());
        return folder;
    }

    [Fact]
    public void Code_that_does_not_compile_or_fails_where_the_lesson_uses_it_fails_alone_with_the_reason()
    {
        var lesson = FixtureLesson();
        var release = Path.Combine(temp, "fixture-release");
        Assert.Equal(0, NotebookProcess.Tool("release", "--out", release, lesson).ExitCode);
        // With 3 s for exercise and check cells, the check that states 30 s runs its 4 s to the end.
        Environment.SetEnvironmentVariable("PRUNINGLAB_FIXTURE_SLOW_CHECK", "1");   // the grader's child inherits it
        GradeReportFile solved;
        try
        {
            (_, solved) = Grade(lesson, Submission(release, "90_fixture.ipynb", "solved", new Dictionary<string, string>(), lessonFolder: lesson),
                "--check-timeout", "3");
        }
        finally
        {
            Environment.SetEnvironmentVariable("PRUNINGLAB_FIXTURE_SLOW_CHECK", null);
        }
        Assert.Equal((3, 3, 1), (solved.Score, solved.Total, solved.Runs));

        var (result, report) = Grade(lesson, Submission(release, "90_fixture.ipynb", "broken", new Dictionary<string, string>
        {
            ["9.1"] = "    return a +;\n",
            ["9.2"] = "    if (x == 21) throw new InvalidOperationException(\"boom\");\n    return 2 * x;\n",
        }, lessonFolder: lesson));
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("does not compile", report["9.1"].Message);
        Assert.Contains("passed its check, but failed when the lesson used it", report["9.2"].Message);
        Assert.Contains("boom", report["9.2"].Message);
        Assert.Equal((0, 2), (report.Score, report.Runs));
    }

    [Fact]
    public void Code_that_fakes_a_result_or_kills_the_process_fails_alone_and_a_missing_notebook_scores_zero()
    {
        var lesson = FixtureLesson();
        var release = Path.Combine(temp, "fixture-release");
        Assert.Equal(0, NotebookProcess.Tool("release", "--out", release, lesson).ExitCode);
        var (result, report) = Grade(lesson, Submission(release, "90_fixture.ipynb", "cheats", new Dictionary<string, string>
        {
            ["9.1"] = "    ExerciseCheck.Run(\"9.1\", \"add\", \"\", () => (true, \"faked\"));\n    return a - b;\n",
            ["9.2"] = "    Environment.Exit(0);\n    return 0;\n",
        }, lessonFolder: lesson));
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("2 results were reported", report["9.1"].Message);
        Assert.Contains("process stopped", report["9.2"].Message);
        Assert.Equal((0, 2), (report.Score, report.Runs));

        var (missing, none) = Grade(lesson, Path.Combine(temp, "nobody", "90_fixture.ipynb"));
        Assert.Equal(0, missing.ExitCode);
        Assert.All(none.Exercises, e => Assert.Contains("notebook not found", e.Message));
    }
}
