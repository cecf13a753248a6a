using System.Text.Json;
using System.Text.Json.Serialization;

namespace PruningLab.NotebookRunner.Classroom;

/// <summary>One check of an exercise as graded: whether it is hidden from the release, passed, and its message.</summary>
public sealed record CheckGrade(bool Hidden, bool Passed, string Message);

/// <summary>One exercise as graded: it scores its points when every check of it (visible and hidden) passed.</summary>
public sealed record ExerciseGrade(string Id, string Title, int Points, bool Passed, int Score, string Message, IReadOnlyList<CheckGrade> Checks);

/// <summary>One notebook as graded: its exercises, how many runs grading took, its seconds, and a grader error if any.</summary>
public sealed record NotebookGrade(string Notebook, IReadOnlyList<ExerciseGrade> Exercises, int Runs, double Seconds, string? Error)
{
    /// <summary>Points scored.</summary>
    public int Score => Exercises.Sum(e => e.Score);

    /// <summary>Points available.</summary>
    public int Total => Exercises.Sum(e => e.Points);
}

/// <summary>The grader's report: every notebook graded, the score and the total, as printed and as JSON.</summary>
public sealed record GradeReport(IReadOnlyList<NotebookGrade> Notebooks)
{
    private static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    /// <summary>Points scored over all notebooks.</summary>
    public int Score => Notebooks.Sum(n => n.Score);

    /// <summary>Points available over all notebooks.</summary>
    public int Total => Notebooks.Sum(n => n.Total);

    /// <summary>Whether the grader itself failed on some notebook (its exit code is then 1).</summary>
    public bool HasErrors => Notebooks.Any(n => n.Error is not null);

    /// <summary>The exercise of that id, or null.</summary>
    public ExerciseGrade? Exercise(string id) => Notebooks.SelectMany(n => n.Exercises).FirstOrDefault(e => e.Id == id);

    /// <summary>The report as JSON (score and total included).</summary>
    public string ToJson() => JsonSerializer.Serialize(new { score = Score, total = Total, notebooks = Notebooks }, Options);

    /// <summary>Writes the JSON report, atomically.</summary>
    public void Save(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        Release.AtomicWrite(path, ToJson() + "\n");
    }

    /// <summary>Reads a report written by <see cref="Save"/>.</summary>
    public static GradeReport Load(string path)
    {
        if (!File.Exists(path))
            throw new ClassroomException($"No grading report at '{path}': run the grader first (./course grade ... --report {path}).");
        var document = JsonDocument.Parse(File.ReadAllText(path));
        var notebooks = document.RootElement.GetProperty("notebooks").Deserialize<List<NotebookGrade>>(Options)
            ?? throw new ClassroomException($"'{path}' holds no notebooks.");
        return new GradeReport(notebooks);
    }

    /// <summary>The report as the grader prints it: one line per exercise, then the total.</summary>
    public string ToText()
    {
        var text = new System.Text.StringBuilder();
        foreach (var notebook in Notebooks)
        {
            text.AppendLine($"{notebook.Notebook}: {notebook.Score}/{notebook.Total} points ({notebook.Runs} run{(notebook.Runs == 1 ? "" : "s")}, {notebook.Seconds:F1} s)");
            foreach (var exercise in notebook.Exercises)
                text.AppendLine($"  {Line(exercise)}");
            if (notebook.Error is not null) text.AppendLine($"  grader error: {notebook.Error}");
        }
        text.Append($"Total: {Score}/{Total} points");
        return text.ToString();
    }

    /// <summary>One exercise's line: ✓/✗, id, title, score and message.</summary>
    public static string Line(ExerciseGrade exercise) =>
        $"{(exercise.Passed ? "✓" : "✗")} Exercise {exercise.Id} ({exercise.Title}): {exercise.Score}/{exercise.Points} — {exercise.Message}";
}
