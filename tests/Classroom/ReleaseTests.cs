using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using PruningLab.Tests.Notebooks;

namespace PruningLab.Tests.Classroom;

/// <summary>
/// The student release, read without running it: deterministic, no line of any solution or hidden check left in it,
/// nothing else changed, a learner's edited copy never overwritten, and an assignment template with no solutions.
/// </summary>
public partial class ReleaseTests : IDisposable
{
    private readonly string temp = Directory.CreateTempSubdirectory("pruninglab-release-").FullName;

    public void Dispose() => Directory.Delete(temp, recursive: true);

    [GeneratedRegex(@"^[ \t]*// BEGIN SOLUTION[^\n]*\n(?<body>.*?)^[ \t]*// END SOLUTION", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex Solution();

    private static readonly System.Text.Json.JsonSerializerOptions RelaxedJson =
        new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static List<string> LessonNames() => NotebookProcess.Lessons().Select(l => (string)l[0]).ToList();

    private string Release(string name, params string[] extra)
    {
        var folder = Path.Combine(temp, name);
        var result = NotebookProcess.Tool(["release", "--out", folder, .. extra, NotebookProcess.NotebooksFolder]);
        Assert.True(result.ExitCode == 0, result.Output);
        return folder;
    }

    private static JsonArray CellsOf(string path) => JsonNode.Parse(File.ReadAllText(path))!["cells"]!.AsArray();

    private static string SourceOf(JsonNode cell) => cell["source"] is JsonArray lines
        ? string.Concat(lines.Select(l => l!.GetValue<string>())) : cell["source"]!.GetValue<string>();

    private static JsonObject? Tags(JsonNode cell) => cell["metadata"]?["pruninglab"] as JsonObject;

    private static bool IsHidden(JsonNode cell) => Tags(cell)?["hidden"]?.GetValue<bool>() == true;

    [Fact]
    public void The_release_is_the_same_file_every_time()
    {
        var first = Release("a");
        var second = Release("b");
        Assert.Equal(LessonNames(), Directory.GetFiles(first).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        foreach (var name in LessonNames())
            Assert.Equal(File.ReadAllBytes(Path.Combine(first, name)), File.ReadAllBytes(Path.Combine(second, name)));
    }

    [Fact]
    public void No_line_of_any_solution_or_hidden_check_is_left_in_the_release()
    {
        var released = Release("r");
        var checkedLines = 0;
        foreach (var name in LessonNames())
        {
            var cells = CellsOf(Path.Combine(NotebookProcess.NotebooksFolder, name));
            // The secret lines: those of solution regions and hidden checks that appear nowhere else in the lesson
            // (a lone "}" appears in code the learner is meant to see, and the last hint quotes a call or two).
            var secret = new HashSet<string>();
            var visible = new System.Text.StringBuilder();
            foreach (var cell in cells)
            {
                var source = SourceOf(cell!);
                var regions = IsHidden(cell!) ? [source] : Solution().Matches(source).Select(m => m.Groups["body"].Value).ToList();
                var rest = IsHidden(cell!) ? "" : Solution().Replace(source, "");
                secret.UnionWith(regions.SelectMany(r => r.Split('\n')).Select(l => l.Trim()).Where(l => l.Length > 0));
                visible.Append(rest).Append('\n');
            }
            secret.RemoveWhere(line => visible.ToString().Contains(line, StringComparison.Ordinal));
            var text = File.ReadAllText(Path.Combine(released, name));
            var releasedSources = string.Join("\n", CellsOf(Path.Combine(released, name)).Select(c => SourceOf(c!)));
            foreach (var line in secret)
            {
                Assert.DoesNotContain(line, releasedSources);
                Assert.DoesNotContain(System.Text.Json.JsonSerializer.Serialize(line, RelaxedJson).Trim('"'), text);
                checkedLines++;
            }
        }
        Assert.True(checkedLines >= 50, $"only {checkedLines} solution lines were searched for");
    }

    [Fact]
    public void The_release_changes_only_solutions_hidden_checks_and_outputs()
    {
        var released = Release("r");
        foreach (var name in LessonNames())
        {
            var original = CellsOf(Path.Combine(NotebookProcess.NotebooksFolder, name)).Where(c => !IsHidden(c!)).ToList();
            var release = CellsOf(Path.Combine(released, name));
            Assert.Equal(original.Count, release.Count);
            Assert.DoesNotContain(release, c => IsHidden(c!));
            foreach (var (before, after) in original.Zip(release))
            {
                Assert.Equal(before!["cell_type"]!.GetValue<string>(), after!["cell_type"]!.GetValue<string>());
                Assert.Equal(Tags(before)?.ToJsonString(), Tags(after)?.ToJsonString());
                if (after["cell_type"]!.GetValue<string>() != "code")
                {
                    Assert.Equal(SourceOf(before), SourceOf(after));
                    continue;
                }
                Assert.Empty(after["outputs"]!.AsArray());
                Assert.Null(after["execution_count"]);
                var id = Tags(before)?["exercise"]?.GetValue<string>();
                if (id is null)
                {
                    Assert.Equal(SourceOf(before), SourceOf(after));
                    continue;
                }
                // Everything around the region is kept; the region becomes the stub between the learner's markers.
                var expected = Solution().Replace(SourceOf(before), match => "").Replace("// END SOLUTION", "");
                var stubbed = Regex.Replace(SourceOf(after), @"^[ \t]*// BEGIN YOUR CODE.*?// END YOUR CODE", "", RegexOptions.Multiline | RegexOptions.Singleline);
                Assert.Equal(Regex.Replace(expected, @"\s+", " "), Regex.Replace(stubbed, @"\s+", " "));
                Assert.Matches($@"// BEGIN YOUR CODE \(exercise {Regex.Escape(id)}\)\n\s*// YOUR CODE HERE\n\s*throw new NotImplementedException\(.*\);\n\s*// END YOUR CODE", SourceOf(after));
            }
        }
    }

    [Fact]
    public void A_learners_changed_copy_is_never_overwritten_without_force()
    {
        var folder = Release("student");
        var mine = Path.Combine(folder, LessonNames()[0]);
        File.AppendAllText(mine, "my work");
        var refused = NotebookProcess.Tool("release", "--out", folder, NotebookProcess.NotebooksFolder);
        Assert.Equal(2, refused.ExitCode);
        Assert.Contains("already exists and differs from the release", refused.Output);
        Assert.EndsWith("my work", File.ReadAllText(mine));
        Release("student", "--force");
        Assert.DoesNotContain("my work", File.ReadAllText(mine));
    }

    [Theory]
    [InlineData("points", "has no points")]
    [InlineData("region", "must hold exactly one // BEGIN SOLUTION")]
    [InlineData("check", "has no check cell after it")]
    public void A_lesson_with_a_malformed_exercise_is_refused_with_what_to_fix(string broken, string message)
    {
        var lesson = JsonNode.Parse(File.ReadAllText(Path.Combine(NotebookProcess.NotebooksFolder, LessonNames()[0])))!.AsObject();
        var cells = lesson["cells"]!.AsArray();
        var exercise = cells.First(c => Tags(c!)?["exercise"] is not null)!;
        switch (broken)
        {
            case "points": Tags(exercise)!.Remove("points"); break;
            case "region": exercise["source"] = new JsonArray("int Answer() => 42;"); break;
            case "check": Tags(cells.First(c => Tags(c!)?["check"] is not null)!)!.Remove("check"); break;
        }
        var path = Path.Combine(temp, LessonNames()[0]);
        File.WriteAllText(path, lesson.ToJsonString());
        var result = NotebookProcess.Tool("release", "--out", Path.Combine(temp, "out"), path);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains(message, result.Output);
    }

    [Fact]
    public void The_assignment_template_has_the_course_and_the_workflow_but_no_solutions_and_no_tests()
    {
        var template = Path.Combine(temp, "assignment");
        var result = NotebookProcess.Tool("release", "--template", template, NotebookProcess.NotebooksFolder);
        Assert.True(result.ExitCode == 0, result.Output);
        Assert.True(File.GetUnixFileMode(Path.Combine(template, "course")).HasFlag(UnixFileMode.UserExecute));
        Assert.True(File.Exists(Path.Combine(template, "lib", "PruningLab.csproj")));
        Assert.True(File.Exists(Path.Combine(template, ".devcontainer", "devcontainer.json")));
        Assert.Equal(LessonNames(), Directory.GetFiles(Path.Combine(template, "notebooks")).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        foreach (var left in new[] { "tests", "bench", ".ci" }) Assert.False(Directory.Exists(Path.Combine(template, left)), left);
        Assert.Equal(File.ReadAllText(Path.Combine(NotebookProcess.Root, ".github", "workflows", "classroom.yml")),
            File.ReadAllText(Path.Combine(template, ".github", "workflows", "classroom.yml")));
        foreach (var notebook in Directory.EnumerateFiles(template, "*.ipynb", SearchOption.AllDirectories))
            Assert.DoesNotContain("// BEGIN SOLUTION", File.ReadAllText(notebook));
        // The build filter and the solution name only projects that are there.
        var filter = JsonNode.Parse(File.ReadAllText(Path.Combine(template, "Course.Build.slnf")))!["solution"]!["projects"]!.AsArray();
        Assert.NotEmpty(filter);
        Assert.All(filter, p => Assert.True(File.Exists(Path.Combine(template, p!.GetValue<string>())), p!.GetValue<string>()));
        var solution = File.ReadAllText(Path.Combine(template, "Course.sln"));
        Assert.DoesNotContain("tests\\", solution);
        Assert.DoesNotContain("bench\\", solution);
        Assert.Contains("lib\\PruningLab.csproj", solution);
    }
}
