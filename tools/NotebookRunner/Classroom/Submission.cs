using System.Text.Json.Nodes;

namespace PruningLab.NotebookRunner.Classroom;

/// <summary>
/// What the grader takes from a learner's notebook: the code between the markers of each exercise, and nothing
/// else. Check cells, outputs and every other cell of the submission are ignored.
/// </summary>
public sealed class Submission
{
    private Submission(IReadOnlyDictionary<string, string> answers, IReadOnlyDictionary<string, string> problems)
    {
        Answers = answers;
        Problems = problems;
    }

    /// <summary>The learner's code for each exercise id found.</summary>
    public IReadOnlyDictionary<string, string> Answers { get; }

    /// <summary>Why an exercise's code could not be taken (it then scores zero), by exercise id.</summary>
    public IReadOnlyDictionary<string, string> Problems { get; }

    /// <summary>A submission with no notebook at all: every exercise of <paramref name="lesson"/> fails with <paramref name="why"/>.</summary>
    public static Submission Missing(LessonNotebook lesson, string why) =>
        new(new Dictionary<string, string>(), lesson.Exercises.ToDictionary(e => e.Id, _ => why));

    /// <summary>Reads the answers of <paramref name="student"/> for the exercises of <paramref name="lesson"/>.</summary>
    public static Submission Read(LessonNotebook student, LessonNotebook lesson)
    {
        var found = new Dictionary<string, List<string>>();
        for (var i = 0; i < student.Cells.Count; i++)
        {
            var cell = student.Cells[i]!;
            if (cell["cell_type"]?.GetValue<string>() != "code") continue;
            var tagged = student.RoleOf(i) is (CellRole.Exercise, var id) ? id : null;
            foreach (var (answerId, body) in Regions.Answers(NotebookExecutor.SourceOf(cell), tagged))
                (found.TryGetValue(answerId, out var list) ? list : found[answerId] = []).Add(body);
        }
        var answers = new Dictionary<string, string>();
        var problems = new Dictionary<string, string>();
        foreach (var exercise in lesson.Exercises)
        {
            if (!found.TryGetValue(exercise.Id, out var bodies))
                problems[exercise.Id] = $"no code found: the lines '// BEGIN YOUR CODE (exercise {exercise.Id})' and '// END YOUR CODE' " +
                                        "are missing from your notebook. Put them back around your code: only the code between them is graded.";
            else if (bodies.Count > 1)
                problems[exercise.Id] = $"the markers of exercise {exercise.Id} appear {bodies.Count} times in your notebook; keep one pair.";
            else
                answers[exercise.Id] = bodies[0];
        }
        return new Submission(answers, problems);
    }

    /// <summary>
    /// The notebook the grader runs: the instructor's lesson (with its own check cells and hidden checks) in which each
    /// solution region holds the learner's code, or a stub for the exercises in <paramref name="stubbed"/> (those
    /// without usable code, or set aside after timing out, exhausting memory or failing to compile). Outputs cleared.
    /// </summary>
    public JsonObject Into(LessonNotebook lesson, IReadOnlySet<string> stubbed)
    {
        var document = lesson.Document.DeepClone().AsObject();
        var cells = document["cells"]!.AsArray();
        for (var i = 0; i < cells.Count; i++)
        {
            var cell = cells[i]!;
            if (cell["cell_type"]?.GetValue<string>() != "code") continue;
            cell["outputs"] = new JsonArray();
            cell["execution_count"] = null;
            if (lesson.RoleOf(i) is not (CellRole.Exercise, { } id)) continue;
            var source = NotebookExecutor.SourceOf(cell);
            NotebookExecutor.SetSource(cell, Regions.ReplaceSolution(source, indent =>
                !stubbed.Contains(id) && Answers.TryGetValue(id, out var body) ? Regions.Marked(id, indent, body) : Regions.Stub(id, indent)));
        }
        return document;
    }
}
