using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace PruningLab.NotebookRunner.Classroom;

/// <summary>An exercise of a lesson: its id ("1.2"), title, points and the cell that holds its code.</summary>
public sealed record Exercise(string Id, string Title, int Points, int Cell);

/// <summary>What a code cell is to the grader.</summary>
public enum CellRole
{
    /// <summary>An ordinary cell of the lesson.</summary>
    Lesson,
    /// <summary>The cell with an exercise's code (metadata <c>pruninglab.exercise</c>).</summary>
    Exercise,
    /// <summary>A check the learner sees (metadata <c>pruninglab.check</c>).</summary>
    Check,
    /// <summary>An instructor's check that the release leaves out (<c>pruninglab.check</c> and <c>pruninglab.hidden</c>).</summary>
    HiddenCheck,
}

/// <summary>
/// A lesson notebook as the classroom tools read it: which cells hold exercises (with their ids, titles and points),
/// which cells check them, and which later cells use a learner's function. Everything comes from cell metadata and
/// from the lesson's conventions (a heading "Exercise 1.2 — title"; a check stored in <c>var check1_2</c>, read by the
/// cells that use the learner's function).
/// </summary>
public sealed partial class LessonNotebook
{
    private readonly Dictionary<int, (CellRole Role, string Id)> roles = [];
    private readonly Dictionary<int, TimeSpan> timeLimits = [];

    private LessonNotebook(string name, JsonObject document)
    {
        Name = name;
        Document = document;
    }

    /// <summary>The file name, e.g. "01_fine_grained_magnitude_pruning.ipynb".</summary>
    public string Name { get; }

    /// <summary>The nbformat 4 document.</summary>
    public JsonObject Document { get; }

    /// <summary>The cells.</summary>
    public JsonArray Cells => Document["cells"]!.AsArray();

    /// <summary>The exercises, in the order of the lesson.</summary>
    public IReadOnlyList<Exercise> Exercises { get; private set; } = [];

    /// <summary>Total points of the lesson's exercises.</summary>
    public int TotalPoints => Exercises.Sum(e => e.Points);

    /// <summary>Reads a notebook file (any notebook: a lesson, a release or a learner's submission).</summary>
    public static LessonNotebook Load(string path)
    {
        JsonObject document;
        try
        {
            document = JsonNode.Parse(File.ReadAllText(path))?.AsObject() ?? throw new ClassroomException($"{path} is empty.");
        }
        catch (System.Text.Json.JsonException error)
        {
            throw new ClassroomException($"{path} is not a notebook (invalid JSON: {error.Message}).");
        }
        if (document["cells"] is not JsonArray)
            throw new ClassroomException($"{path} is not a notebook (no \"cells\" list).");
        return Read(Path.GetFileName(path), document);
    }

    /// <summary>Reads a notebook document; the exercises come from the cells' metadata.</summary>
    public static LessonNotebook Read(string name, JsonObject document)
    {
        var lesson = new LessonNotebook(name, document);
        var exercises = new List<Exercise>();
        string? heading = null;
        for (var i = 0; i < lesson.Cells.Count; i++)
        {
            var cell = lesson.Cells[i]!;
            if (cell["cell_type"]?.GetValue<string>() == "markdown")
            {
                var text = NotebookExecutor.SourceOf(cell);
                if (Heading().IsMatch(text)) heading = text;
                continue;
            }
            if (cell["metadata"]?["pruninglab"] is not JsonObject tags) continue;
            if (tags["exercise"]?.GetValue<string>() is { } id)
            {
                var points = tags["points"] is JsonValue p && p.TryGetValue<int>(out var n) ? n
                    : throw new ClassroomException($"{name}: exercise {id} (cell {i}) has no points: add \"points\": N to its metadata.pruninglab.");
                var title = heading is not null && Regex.Match(heading, $@"Exercise {Regex.Escape(id)} — (?<title>[^\n]+)") is { Success: true } t
                    ? t.Groups["title"].Value.Trim()
                    : throw new ClassroomException($"{name}: exercise {id} (cell {i}) has no heading \"Exercise {id} — title\" above it.");
                if (exercises.Any(e => e.Id == id)) throw new ClassroomException($"{name}: exercise {id} appears twice.");
                exercises.Add(new Exercise(id, title, points, i));
                lesson.roles[i] = (CellRole.Exercise, id);
            }
            else if (tags["check"]?.GetValue<string>() is { } checkId)
            {
                var hidden = tags["hidden"] is JsonValue h && h.TryGetValue<bool>(out var isHidden) && isHidden;
                lesson.roles[i] = (hidden ? CellRole.HiddenCheck : CellRole.Check, checkId);
                // A check that runs the learner's whole pipeline (the capstone trains) states its own limit.
                if (tags["seconds"] is JsonValue sv)
                    lesson.timeLimits[i] = sv.TryGetValue<int>(out var seconds) && seconds > 0 ? TimeSpan.FromSeconds(seconds)
                        : throw new ClassroomException($"{name}: the check of exercise {checkId} (cell {i}) has \"seconds\": {sv.ToJsonString()}; give a positive whole number.");
            }
        }
        lesson.Exercises = exercises;
        return lesson;
    }

    /// <summary>The time limit a check cell states in its metadata (<c>pruninglab.seconds</c>), or null for the grader's default.</summary>
    public TimeSpan? TimeLimitOf(int cell) => timeLimits.TryGetValue(cell, out var limit) ? limit : null;

    /// <summary>The role of a cell and the exercise it belongs to (null for a lesson cell).</summary>
    public (CellRole Role, string? Exercise) RoleOf(int cell) =>
        roles.TryGetValue(cell, out var role) ? (role.Role, role.Id) : (CellRole.Lesson, null);

    /// <summary>
    /// The exercises a cell depends on: its own for an exercise or check cell; for a lesson cell, those whose check
    /// variable it reads (<c>check1_2.Passed ? yours : reference</c> is how a lesson uses a learner's function).
    /// </summary>
    public IReadOnlyList<string> ExercisesOf(int cell)
    {
        if (RoleOf(cell) is { Exercise: { } own }) return [own];
        var source = NotebookExecutor.SourceOf(Cells[cell]!);
        return Exercises.Where(e => Regex.IsMatch(source, $@"\b{CheckVariable(e.Id)}\b")).Select(e => e.Id).ToList();
    }

    /// <summary>The variable a lesson keeps an exercise's check result in, e.g. <c>check1_2</c>.</summary>
    public static string CheckVariable(string id) => "check" + id.Replace('.', '_');

    /// <summary>
    /// Fails with a clear message unless this is a well-formed lesson with solutions: every exercise has one solution
    /// region, points and a visible check after it; no solution region lies outside an exercise cell.
    /// </summary>
    public void ValidateAsSolution()
    {
        for (var i = 0; i < Cells.Count; i++)
        {
            if (Cells[i]!["cell_type"]?.GetValue<string>() != "code") continue;
            var regions = Regions.SolutionCount(NotebookExecutor.SourceOf(Cells[i]!));
            var (role, id) = RoleOf(i);
            if (role == CellRole.Exercise && regions != 1)
                throw new ClassroomException($"{Name}: exercise {id} (cell {i}) must hold exactly one // BEGIN SOLUTION … // END SOLUTION region; it holds {regions}.");
            if (role != CellRole.Exercise && regions > 0)
                throw new ClassroomException($"{Name}: cell {i} holds a solution region but is no exercise cell: add \"pruninglab\": {{\"exercise\": \"<id>\", \"points\": N}} to its metadata.");
        }
        foreach (var exercise in Exercises)
            if (!roles.Any(r => r.Key > exercise.Cell && r.Value == (CellRole.Check, exercise.Id)))
                throw new ClassroomException($"{Name}: exercise {exercise.Id} has no check cell after it (metadata \"pruninglab\": {{\"check\": \"{exercise.Id}\"}}).");
    }

    [GeneratedRegex(@"Exercise \d+\.\d+ — ")]
    private static partial Regex Heading();
}

/// <summary>A problem with a notebook or a command line that the classroom tools report instead of a stack trace.</summary>
public sealed class ClassroomException(string message) : Exception(message);
