using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using PruningLab.Notebooks;
using Xunit.Abstractions;

namespace PruningLab.Tests.Notebooks;

/// <summary>
/// Every lesson runs top to bottom, headlessly, in three independent runners: with the solutions in the course's
/// grader (an in-process .NET Interactive kernel in a watched child process) and in Jupyter (nbconvert driving the
/// .NET kernel), and as the student release (solutions replaced by stubs) in dotnet-repl. Trained models are cached by recipe, so the first run trains and the others
/// reuse it. The executed lessons are checked for what a learner sees: no errors, no ✗, charts as figures, a small
/// file, every number of the prose printed, and an HTML export that draws every chart.
/// </summary>
public class LessonExecutionTests(ITestOutputHelper output)
{
    private const long MaxNotebookBytes = 1_572_864;   // 1.5 MB: a learner's saved notebook and every submission carry it
    private static string OutDir(string runner) => Path.Combine(NotebookProcess.Root, "output", "test-runs", runner);

    [Theory]
    [MemberData(nameof(NotebookProcess.Lessons), MemberType = typeof(NotebookProcess))]
    public void Lesson_scores_full_marks_in_the_grader_and_runs_clean(string notebook)
    {
        // The grader runs the lesson in the in-process .NET Interactive kernel (in a child process it watches), with
        // the lesson's own solutions as the learner's code: every exercise, hidden checks included, gets its points.
        var outDir = OutDir("graded");
        var reportPath = Path.Combine(outDir, Path.ChangeExtension(notebook, ".report.json"));
        var result = NotebookProcess.Tool("grade", "--instructor", NotebookProcess.NotebooksFolder, "--report", reportPath,
            "--executed", outDir, Path.Combine(NotebookProcess.NotebooksFolder, notebook));
        var executed = Path.Combine(outDir, notebook);
        output.WriteLine($"{notebook}: graded in {result.Elapsed.TotalSeconds:F1} s, {new FileInfo(executed).Length:N0} bytes\n{result.Output}");
        var report = Classroom.GradeReportFile.Read(reportPath);
        Assert.True(report.Score == report.Total && report.Total > 0, $"{notebook}: the solutions score {report.Score}/{report.Total}:\n{result.Output}");
        Assert.All(report.Exercises, e => Assert.True(e.Passed && e.Checks.All(c => c.Passed), $"{e.Id}: {e.Message}"));
        Assert.Equal(1, report.Runs);
        AssertRan(notebook, result, executed);
        var unprinted = ProseNumbers.Unprinted(Path.Combine(NotebookProcess.NotebooksFolder, notebook), executed);
        Assert.True(unprinted.Count == 0, $"{notebook}: the prose states numbers no cell prints (print them, or quote them with a source in " +
                                          $"metadata.pruninglab.quoted): {string.Join(", ", unprinted)}");
        if (File.ReadAllText(Path.Combine(NotebookProcess.NotebooksFolder, notebook)).Contains("CompareLive"))
            Assert.Matches(@"✓ live vs stored", NotebookProcess.OutputText(executed));
    }

    [SkippableTheory]
    [MemberData(nameof(NotebookProcess.Lessons), MemberType = typeof(NotebookProcess))]
    public void Lesson_runs_in_jupyter_nbconvert_and_exports_to_HTML_with_every_chart(string notebook)
    {
        // Jupyter is an independent client of the .NET Interactive kernel (the VS Code Jupyter extension's path).
        // './course setup' installs it where apt is available; CI must have it, elsewhere the test is skipped.
        var kernelSpec = Path.Combine(NotebookProcess.Root, "output", "jupyter", "kernels", ".net-csharp", "kernel.json");
        var available = File.Exists("/usr/bin/jupyter-nbconvert") && File.Exists(kernelSpec);
        Assert.False(!available && Environment.GetEnvironmentVariable("CI") == "true",
            "CI must run the Jupyter runner: './course setup' installs jupyter-nbconvert and the .NET kernel spec.");
        Skip.If(!available, "Jupyter or the .NET kernel spec is not installed (run ./course setup with apt available).");
        var outDir = OutDir("jupyter");
        var executed = Path.Combine(outDir, notebook);
        if (File.Exists(executed)) File.Delete(executed);
        var jupyterPath = new Dictionary<string, string> { ["JUPYTER_PATH"] = Path.Combine(NotebookProcess.Root, "output", "jupyter") };
        var result = NotebookProcess.Run("jupyter",
            ["nbconvert", "--to", "notebook", "--execute", notebook, "--output-dir", outDir, "--ExecutePreprocessor.timeout=900"],
            NotebookProcess.NotebooksFolder, jupyterPath);
        output.WriteLine($"{notebook}: {result.Elapsed.TotalSeconds:F1} s (jupyter nbconvert)");
        Assert.True(File.Exists(executed), $"jupyter nbconvert wrote no output for {notebook} (exit {result.ExitCode}):\n{result.Output}");
        AssertRan(notebook, result, executed);

        // The HTML export: the course adds an HTML fragment per chart (and plotly.js once), then nbconvert renders it.
        var ready = Path.Combine(outDir, "html-ready", notebook);
        Directory.CreateDirectory(Path.GetDirectoryName(ready)!);
        var document = JsonNode.Parse(File.ReadAllText(executed))!.AsObject();
        var charts = NotebookHtml.AddChartHtml(document);
        File.WriteAllText(ready, document.ToJsonString());
        var html = Path.ChangeExtension(ready, ".html");
        var export = NotebookProcess.Run("jupyter", ["nbconvert", "--to", "html", ready], Path.GetDirectoryName(ready)!, jupyterPath);
        Assert.True(File.Exists(html), $"nbconvert wrote no HTML (exit {export.ExitCode}):\n{export.Output}");
        var page = File.ReadAllText(html);
        Assert.Equal(NotebookProcess.ChartCount(executed), charts);
        Assert.Equal(charts, Regex.Matches(page, "<div id=\"pruninglab-chart-").Count);
        Assert.Single(Regex.Matches(page, Regex.Escape("plotly.js v2.28.0")));   // inlined once per page
        Assert.DoesNotMatch(@"<script[^>]+src=""https?://[^""]*plotly", page);

        // Drawn for real: a headless browser opens the page from disk and plotly.js builds one plot per chart.
        var browser = new[] { "/usr/bin/chromium", "/usr/bin/chromium-browser" }.FirstOrDefault(File.Exists);
        Assert.False(browser is null && Environment.GetEnvironmentVariable("CI") == "true",
            "CI must check the HTML in a browser: './course test' installs chromium.");
        Skip.If(browser is null, "No chromium here: the HTML export was checked, but not drawn in a browser (apt-get install chromium).");
        var profile = Directory.CreateTempSubdirectory("pruninglab-chromium-").FullName;
        try
        {
            var drawn = NotebookProcess.Run(browser!,
                ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", $"--user-data-dir={profile}", "--virtual-time-budget=20000",
                 "--dump-dom", new Uri(html).AbsoluteUri],
                outDir, timeout: TimeSpan.FromMinutes(2));
            Assert.Equal(charts, Regex.Matches(drawn.Output, "class=\"plot-container plotly\"").Count);
        }
        finally
        {
            Directory.Delete(profile, recursive: true);
        }
    }

    [Theory]
    [MemberData(nameof(NotebookProcess.Lessons), MemberType = typeof(NotebookProcess))]
    public void The_student_release_runs_in_dotnet_repl_and_every_check_says_what_is_missing(string notebook)
    {
        // dotnet-repl hosts the real .NET Interactive kernel (the one VS Code's Polyglot Notebooks uses), with its own
        // FSharp.Core and no deps.json for our natives: the conditions of a learner's notebook. It runs the student
        // release: every exercise a stub, so every check prints ✗ with its hint and the lesson carries on.
        var source = Path.Combine(NotebookProcess.NotebooksFolder, notebook);
        var exercises = Regex.Matches(File.ReadAllText(source), "// BEGIN SOLUTION").Count;
        var copy = Path.Combine(NotebookProcess.WriteRelease(), notebook);
        var executed = Path.Combine(OutDir("release"), notebook);
        Directory.CreateDirectory(OutDir("release"));
        var result = NotebookProcess.Run("dotnet",
            ["tool", "run", "dotnet-repl", "--", "--run", copy, "--exit-after-run", "--output-path", executed],
            Path.GetDirectoryName(copy)!);
        output.WriteLine($"{notebook}: {result.Elapsed.TotalSeconds:F1} s (dotnet-repl, student release)\n{result.Output}");
        Assert.True(File.Exists(executed), $"dotnet-repl wrote no output for {notebook} (exit {result.ExitCode}). Run 'dotnet tool restore' first. Output:\n{result.Output}");
        var errors = NotebookProcess.Errors(executed);
        Assert.True(errors.Count == 0, $"{notebook} (student release): cell {errors.FirstOrDefault().Cell} failed: {errors.FirstOrDefault().Error}");
        Assert.Equal(0, result.ExitCode);
        var text = NotebookProcess.OutputText(executed);
        Assert.Equal(exercises, Regex.Matches(text, "✗ Exercise .*not implemented yet").Count);
        Assert.Equal(exercises, Regex.Matches(text, "Hint: ").Count);
        Assert.DoesNotContain("✓ Exercise", text);
        Assert.DoesNotContain("BEGIN SOLUTION", File.ReadAllText(executed));
    }

    private static void AssertRan(string notebook, NotebookProcess.Result result, string executed)
    {
        var errors = File.Exists(executed) ? NotebookProcess.Errors(executed) : [];
        if (errors.Count > 0)
        {
            var (cell, firstLine, error) = errors[0];
            Assert.Fail($"{notebook}: cell {cell} ('{firstLine}') failed: {error}");
        }
        Assert.True(result.ExitCode == 0, $"{notebook}: the runner exited with {result.ExitCode}:\n{result.Output}");
        var text = NotebookProcess.OutputText(executed);
        // Charts are stored as plotly figures (drawn by VS Code's renderer), not as a table of properties, and the
        // notebook carries no copy of plotly.js.
        Assert.True(NotebookProcess.ChartCount(executed) > 0, $"{notebook}: no chart output");
        Assert.DoesNotContain("Plotly.NET.GenericChart", text);
        Assert.DoesNotContain("plotly.js v2", File.ReadAllText(executed));
        Assert.DoesNotContain("✗", text);
        // Compiler warnings reach the learner as red text (Jupyter shows them on stderr): a lesson has none.
        Assert.DoesNotMatch(@"warning CS\d+", text);
        var size = new FileInfo(executed).Length;
        Assert.True(size <= MaxNotebookBytes, $"{notebook}: the executed notebook is {size:N0} bytes (at most {MaxNotebookBytes:N0}).");
    }
}
