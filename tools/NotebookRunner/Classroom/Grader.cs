using System.Diagnostics;
using System.Text.Json.Nodes;

namespace PruningLab.NotebookRunner.Classroom;

/// <summary>The grader's limits: per-cell time (cells that run the learner's code directly, and the others) and memory.</summary>
/// <param name="CheckCell">Time limit of an exercise cell and of its check cells.</param>
/// <param name="LessonCell">Time limit of any other cell (some train a model on a cold cache).</param>
/// <param name="MemoryBytes">The most resident memory the notebook's process may use.</param>
public sealed record GradingLimits(TimeSpan CheckCell, TimeSpan LessonCell, long MemoryBytes)
{
    /// <summary>60 s per exercise or check cell, 15 minutes per other cell, 4 GiB.</summary>
    public static GradingLimits Default { get; } = new(TimeSpan.FromSeconds(60), TimeSpan.FromMinutes(15), 4L << 30);

    /// <summary>The time limit of a cell with that role.</summary>
    public TimeSpan For(CellRole role) => role == CellRole.Lesson ? LessonCell : CheckCell;

    /// <summary>The time limit of a cell of <paramref name="lesson"/>: its role's, or the longer one its check states (at most <see cref="LessonCell"/>).</summary>
    public TimeSpan For(LessonNotebook lesson, int cell) =>
        lesson.TimeLimitOf(cell) is { } own ? (own < LessonCell ? own : LessonCell) : For(lesson.RoleOf(cell).Role);
}

/// <summary>
/// Grades a learner's notebook against the instructor's lesson. Only the learner's code between the markers is
/// taken; it is put into the instructor's notebook (with the instructor's checks, hidden ones included), which runs
/// headlessly in a child process under time and memory limits. An exercise whose code fails to compile, throws where
/// the lesson uses it, runs too long, exhausts memory or kills the process is set aside (replaced by a stub, and
/// failed with the reason) and the notebook runs again, so that every other exercise is still graded. Outputs stored
/// in the learner's file are never read.
/// </summary>
public static class Grader
{
    /// <summary>Grades the notebook at <paramref name="studentPath"/> against <paramref name="lesson"/>.</summary>
    /// <param name="studentPath">The learner's notebook (it may be missing or broken: its exercises then score zero).</param>
    /// <param name="lesson">The instructor's lesson, with solutions and hidden checks.</param>
    /// <param name="lessonPath">Where the lesson lies: the assembled notebook runs beside it, so its relative paths resolve.</param>
    /// <param name="limits">Time and memory limits.</param>
    /// <param name="executedPath">Where to keep the executed notebook of the final run (null: not kept).</param>
    public static async Task<NotebookGrade> GradeAsync(string studentPath, LessonNotebook lesson, string lessonPath,
        GradingLimits limits, string? executedPath = null)
    {
        var clock = Stopwatch.StartNew();
        var submission = Read(studentPath, lesson);
        if (submission.Answers.Count == 0 && lesson.Exercises.Count > 0)   // nothing to run: no notebook, or no readable code
            return new NotebookGrade(lesson.Name, lesson.Exercises.Select(e =>
                new ExerciseGrade(e.Id, e.Title, e.Points, false, 0, submission.Problems[e.Id], [])).ToList(), 0, 0, null);
        var setAside = new Dictionary<string, string>(submission.Problems);
        var folder = Path.GetDirectoryName(Path.GetFullPath(lessonPath))!;
        var token = Guid.NewGuid().ToString("N")[..8];
        var assembledPath = Path.Combine(folder, $".grading-{token}-{lesson.Name}");
        var executedTemp = Path.Combine(Path.GetTempPath(), $"pruninglab-graded-{token}-{lesson.Name}");
        RunOutcome outcome;
        var runs = 0;
        string? error = null;
        try
        {
            while (true)
            {
                runs++;
                Release.AtomicWrite(assembledPath, submission.Into(lesson, setAside.Keys.ToHashSet()).ToJsonString(NotebookJson.Options));
                outcome = await GradingRun.RunAsync(assembledPath, executedTemp, cell => limits.For(lesson, cell), limits.MemoryBytes, limits.LessonCell);
                var blamed = Blame(lesson, outcome, setAside.Keys.ToHashSet(), limits);
                if (blamed.Count > 0 && runs <= lesson.Exercises.Count)
                {
                    foreach (var (id, reason) in blamed) setAside[id] = reason;
                    continue;   // again, with those exercises stubbed: the others are still graded
                }
                error = ErrorOf(lesson, outcome);
                break;
            }
        }
        finally
        {
            File.Delete(assembledPath);
        }
        if (executedPath is not null && File.Exists(executedTemp))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(executedPath))!);
            File.Move(executedTemp, executedPath, overwrite: true);
        }
        File.Delete(executedTemp);
        var exercises = lesson.Exercises.Select(e => Grade(lesson, e, outcome, setAside)).ToList();
        return new NotebookGrade(lesson.Name, exercises, runs, Math.Round(clock.Elapsed.TotalSeconds, 1), error);
    }

    /// <summary>The notebook the grader's first run executes for this learner (for instructors who want to look, and for tests).</summary>
    public static JsonObject Assemble(string studentPath, LessonNotebook lesson)
    {
        var submission = Read(studentPath, lesson);
        return submission.Into(lesson, submission.Problems.Keys.ToHashSet());
    }

    private static Submission Read(string studentPath, LessonNotebook lesson)
    {
        if (!File.Exists(studentPath)) return Submission.Missing(lesson, $"notebook not found: {Path.GetFileName(studentPath)} is not in the submission.");
        try
        {
            return Submission.Read(LessonNotebook.Load(studentPath), lesson);
        }
        catch (ClassroomException problem)
        {
            return Submission.Missing(lesson, $"your notebook could not be read ({problem.Message}); restore it from the release or from your history.");
        }
    }

    /// <summary>
    /// The exercises to set aside after a run, with the reason each learner is told: the exercise whose cell a kill
    /// happened in, and those whose cells (exercise, check, or a lesson cell using the learner's function) failed.
    /// </summary>
    private static Dictionary<string, string> Blame(LessonNotebook lesson, RunOutcome outcome, IReadOnlySet<string> setAside, GradingLimits limits)
    {
        var blamed = new Dictionary<string, string>();
        foreach (var end in outcome.Cells.Where(c => c.Error is not null))
            foreach (var id in lesson.ExercisesOf(end.Cell).Where(id => !setAside.Contains(id) && !blamed.ContainsKey(id)))
                blamed[id] = lesson.RoleOf(end.Cell).Role switch
                {
                    CellRole.Exercise => $"your code does not compile or run: {FirstLine(end.Error!)}",
                    CellRole.Lesson => $"your function passed its check, but failed when the lesson used it in {Where(lesson, end.Cell)}: {FirstLine(end.Error!)}",
                    _ => $"the check could not call your code (did the function's name or signature change?): {FirstLine(end.Error!)}",
                };
        if (outcome.End != RunEnd.Completed && outcome.Cell is { } cell)
        {
            var where = Where(lesson, cell);
            var reason = outcome.End switch
            {
                RunEnd.TimedOut => $"stopped: {where} was still running after {limits.For(lesson, cell).TotalSeconds:F0} s " +
                                   "(the time limit). An endless loop, or a far too slow approach?",
                RunEnd.OutOfMemory => $"stopped: {where} used more memory than the limit ({outcome.Detail}). Something allocates without bound.",
                _ => $"the notebook's process stopped during {where} ({outcome.Detail}).",
            };
            foreach (var id in lesson.ExercisesOf(cell).Where(id => !setAside.Contains(id) && !blamed.ContainsKey(id))) blamed[id] = reason;
        }
        return blamed;
    }

    /// <summary>A failure of the run that no exercise explains: the grader's (or the environment's), not the learner's.</summary>
    private static string? ErrorOf(LessonNotebook lesson, RunOutcome outcome)
    {
        if (outcome.End != RunEnd.Completed)
            return $"the lesson did not run to its end: {outcome.End} {(outcome.Cell is { } c ? $"in {Where(lesson, c)}" : "outside any cell")} ({outcome.Detail}).";
        var failed = outcome.Cells.FirstOrDefault(c => c.Error is not null);
        return failed is null ? null
            : $"{Where(lesson, failed.Cell)} failed, and no exercise explains it: {FirstLine(failed.Error!)}. Run the instructor's lesson alone to check the set-up.";
    }

    private static ExerciseGrade Grade(LessonNotebook lesson, Exercise exercise, RunOutcome outcome, IReadOnlyDictionary<string, string> setAside)
    {
        if (setAside.TryGetValue(exercise.Id, out var reason))
            return new ExerciseGrade(exercise.Id, exercise.Title, exercise.Points, false, 0, reason, []);
        var checks = new List<CheckGrade>();
        for (var i = 0; i < lesson.Cells.Count; i++)
        {
            var (role, id) = lesson.RoleOf(i);
            if (id != exercise.Id || role is not (CellRole.Check or CellRole.HiddenCheck)) continue;
            var hidden = role == CellRole.HiddenCheck;
            var results = outcome.Cells.FirstOrDefault(c => c.Cell == i)?.Checks.Select(GradingRun.Fields).Where(r => r.Id == exercise.Id).ToList();
            checks.Add(results switch
            {
                null => new CheckGrade(hidden, false, "the check did not run."),
                [] => new CheckGrade(hidden, false, "the check reported no result."),
                [var only] => new CheckGrade(hidden, only.Passed, only.Message),
                _ => new CheckGrade(hidden, false, $"{results.Count} results were reported for one check: does your code display check results itself?"),
            });
        }
        if (checks.Count == 0) checks.Add(new CheckGrade(false, false, "the lesson has no check for this exercise."));
        var passed = checks.All(c => c.Passed);
        var firstFailure = checks.FirstOrDefault(c => !c.Passed);
        var message = firstFailure is null ? checks[0].Message
            : firstFailure.Hidden ? $"a check that is not in your notebook failed: {firstFailure.Message}" : firstFailure.Message;
        return new ExerciseGrade(exercise.Id, exercise.Title, exercise.Points, passed, passed ? exercise.Points : 0, message, checks);
    }

    private static string Where(LessonNotebook lesson, int cell) => lesson.RoleOf(cell) switch
    {
        (CellRole.Exercise, var id) => $"the cell of exercise {id} (cell {cell})",
        (CellRole.Check or CellRole.HiddenCheck, var id) => $"the check of exercise {id} (cell {cell})",
        _ => $"cell {cell} ('{FirstLine(NotebookExecutor.SourceOf(lesson.Cells[cell]!))}')",
    };

    private static string FirstLine(string text) => text.Split('\n').FirstOrDefault(l => !string.IsNullOrWhiteSpace(l))?.Trim() ?? "";
}
