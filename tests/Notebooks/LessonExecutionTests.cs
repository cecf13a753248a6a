using Xunit.Abstractions;

namespace PruningLab.Tests.Notebooks;

/// <summary>Every lesson runs top to bottom, headlessly, with two independent runners.</summary>
public class LessonExecutionTests(ITestOutputHelper output)
{
    private static string OutDir(string runner) => Path.Combine(NotebookProcess.Root, "output", "test-runs", runner);

    [Theory]
    [MemberData(nameof(NotebookProcess.Lessons), MemberType = typeof(NotebookProcess))]
    public void Lesson_runs_in_the_in_process_kernel(string notebook)
    {
        var result = NotebookProcess.RunOurs(Path.Combine(NotebookProcess.NotebooksFolder, notebook), OutDir("in-process"));
        var executed = Path.Combine(OutDir("in-process"), notebook);
        output.WriteLine($"{notebook}: {result.Elapsed.TotalSeconds:F1} s (in-process kernel)\n{result.Output}");
        AssertRan(notebook, result, executed);
    }

    [Theory]
    [MemberData(nameof(NotebookProcess.Lessons), MemberType = typeof(NotebookProcess))]
    public void Lesson_runs_in_dotnet_repl(string notebook)
    {
        // dotnet-repl hosts the real .NET Interactive kernel (the one VS Code's Polyglot Notebooks and Jupyter use),
        // with its own FSharp.Core and no deps.json for our natives: the conditions a learner's notebook runs in.
        var executed = Path.Combine(OutDir("dotnet-repl"), notebook);
        Directory.CreateDirectory(OutDir("dotnet-repl"));
        var result = NotebookProcess.Run("dotnet",
            ["tool", "run", "dotnet-repl", "--", "--run", notebook, "--exit-after-run", "--output-path", executed],
            NotebookProcess.NotebooksFolder);
        output.WriteLine($"{notebook}: {result.Elapsed.TotalSeconds:F1} s (dotnet-repl)\n{result.Output}");
        Assert.True(File.Exists(executed), $"dotnet-repl wrote no output for {notebook} (exit {result.ExitCode}). Run 'dotnet tool restore' first. Output:\n{result.Output}");
        AssertRan(notebook, result, executed);
    }

    [SkippableTheory]
    [MemberData(nameof(NotebookProcess.Lessons), MemberType = typeof(NotebookProcess))]
    public void Lesson_runs_in_jupyter_nbconvert(string notebook)
    {
        // Jupyter is a third, independent client of the .NET Interactive kernel (the VS Code Jupyter extension's path).
        // './course setup' installs it where apt is available; CI must have it, elsewhere the test is skipped.
        var kernelSpec = Path.Combine(NotebookProcess.Root, "output", "jupyter", "kernels", ".net-csharp", "kernel.json");
        var available = File.Exists("/usr/bin/jupyter-nbconvert") && File.Exists(kernelSpec);
        Assert.False(!available && Environment.GetEnvironmentVariable("CI") == "true",
            "CI must run the Jupyter runner: './course setup' installs jupyter-nbconvert and the .NET kernel spec.");
        Skip.If(!available, "Jupyter or the .NET kernel spec is not installed (run ./course setup with apt available).");
        var outDir = OutDir("jupyter");
        var executed = Path.Combine(outDir, notebook);
        if (File.Exists(executed)) File.Delete(executed);
        var result = NotebookProcess.Run("jupyter",
            ["nbconvert", "--to", "notebook", "--execute", notebook, "--output-dir", outDir, "--ExecutePreprocessor.timeout=900"],
            NotebookProcess.NotebooksFolder,
            new Dictionary<string, string> { ["JUPYTER_PATH"] = Path.Combine(NotebookProcess.Root, "output", "jupyter") });
        output.WriteLine($"{notebook}: {result.Elapsed.TotalSeconds:F1} s (jupyter nbconvert)");
        Assert.True(File.Exists(executed), $"jupyter nbconvert wrote no output for {notebook} (exit {result.ExitCode}):\n{result.Output}");
        AssertRan(notebook, result, executed);
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
        // Charts render as HTML that draws with the embedded plotly.js, not as a table of properties.
        Assert.Contains("plotly.js v2.28.0", text);
        Assert.Contains("Plotly.newPlot", text);
        Assert.DoesNotContain("Plotly.NET.GenericChart", text);
        Assert.DoesNotContain("✗", text);
    }
}
