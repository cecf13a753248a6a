using System.Text.Json;

namespace PruningLab.Tests.Classroom;

/// <summary>The grader's JSON report, read independently of the grader's own types (the tests see only the file).</summary>
internal sealed record GradeReportFile(int Score, int Total, int Runs, string? Error, IReadOnlyList<GradeReportFile.Exercise> Exercises)
{
    public sealed record Check(bool Hidden, bool Passed, string Message);

    public sealed record Exercise(string Id, int Points, int Score, bool Passed, string Message, IReadOnlyList<Check> Checks);

    public Exercise this[string id] => Exercises.Single(e => e.Id == id);

    public static GradeReportFile Read(string path)
    {
        Assert.True(File.Exists(path), $"the grader wrote no report at {path}");
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        var root = document.RootElement;
        var notebooks = root.GetProperty("notebooks").EnumerateArray().ToList();
        var exercises = notebooks.SelectMany(n => n.GetProperty("exercises").EnumerateArray()).Select(e => new Exercise(
            e.GetProperty("id").GetString()!, e.GetProperty("points").GetInt32(), e.GetProperty("score").GetInt32(),
            e.GetProperty("passed").GetBoolean(), e.GetProperty("message").GetString()!,
            e.GetProperty("checks").EnumerateArray().Select(c => new Check(c.GetProperty("hidden").GetBoolean(),
                c.GetProperty("passed").GetBoolean(), c.GetProperty("message").GetString()!)).ToList())).ToList();
        var errors = notebooks.Select(n => n.GetProperty("error")).Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()).ToList();
        return new GradeReportFile(root.GetProperty("score").GetInt32(), root.GetProperty("total").GetInt32(),
            notebooks.Sum(n => n.GetProperty("runs").GetInt32()), errors.Count == 0 ? null : string.Join("; ", errors), exercises);
    }
}
