using PruningLab.NotebookRunner;
using PruningLab.NotebookRunner.Classroom;

// The course's notebook tool (./course calls it):
//   [--out DIR] <notebook.ipynb | folder>...        execute lessons headlessly; executed copies and run-report.json in DIR
//   release [--out DIR] [--force] [<lesson>...]      the student release: solutions stubbed, hidden checks and outputs removed
//   release --template DIR [<lesson>...]             a complete GitHub Classroom assignment repository
//   release --workflow FILE [<lesson>...]            only the classroom workflow for those lessons
//   grade [options] <student.ipynb | folder>...      grade learners' notebooks against the instructor's lessons
//   grade-result <report.json> <exercise>            exit 0 when that exercise passed (one GitHub Classroom test)
//   run-for-grading <notebook> <executed>            the grader's child process (internal)
try
{
    return args.FirstOrDefault() switch
    {
        "release" => ReleaseCommand(args[1..]),
        "grade" => await GradeCommand(args[1..]),
        "grade-result" => GradeResultCommand(args[1..]),
        "run-for-grading" when args.Length == 3 => await GradingRun.ChildAsync(args[1], args[2]),
        "-h" or "--help" => Usage(0),
        _ => await ExecuteCommand(args),
    };
}
catch (ClassroomException problem)
{
    Console.Error.WriteLine($"NotebookRunner: {problem.Message}");
    return 2;
}

static int Usage(int code)
{
    (code == 0 ? Console.Out : Console.Error).WriteLine("""
        usage: NotebookRunner [--out DIR] <notebook.ipynb | folder>...
               NotebookRunner release [--out DIR [--force] | --template DIR | --workflow FILE] [<lesson.ipynb | folder>...]
               NotebookRunner grade [--instructor DIR] [--report FILE] [--executed DIR] [--assemble DIR]
                                    [--check-timeout S] [--cell-timeout S] [--memory-limit MB] <student.ipynb | folder>...
               NotebookRunner grade-result <report.json> <exercise id>
        """);
    return code;
}

static async Task<int> ExecuteCommand(string[] args)
{
    var outDir = "output/notebooks";
    var inputs = new List<string>();
    for (var i = 0; i < args.Length; i++)
    {
        if (args[i] == "--out" && i + 1 < args.Length) outDir = args[++i];
        else if (args[i].StartsWith("--", StringComparison.Ordinal)) throw new ClassroomException($"unknown option '{args[i]}'.");
        else inputs.Add(args[i]);
    }
    if (inputs.Count == 0) inputs.Add("notebooks");
    var notebooks = inputs.SelectMany<string, string>(input => Directory.Exists(input)
            ? Directory.GetFiles(input, "*.ipynb").Where(f => !Path.GetFileName(f).StartsWith('.')).Order(StringComparer.Ordinal)
            : File.Exists(input) ? [input] : throw new ClassroomException($"No notebook or folder at '{input}'."))
        .Select(Path.GetFullPath).ToList();
    Directory.CreateDirectory(outDir);
    var report = new List<NotebookReport>();
    foreach (var notebook in notebooks)
    {
        Console.WriteLine($"▶ {Path.GetFileName(notebook)}");
        var result = await NotebookExecutor.RunAsync(notebook, Path.Combine(outDir, Path.GetFileName(notebook)));
        report.Add(result);
        Console.WriteLine(result.Failure is null
            ? $"  ✓ {result.Cells} cells in {result.Seconds:F1} s"
            : $"  ✗ cell {result.Failure.Cell} failed after {result.Seconds:F1} s: {result.Failure.Message}");
    }
    RunReport.Write(Path.Combine(outDir, "run-report.json"), report);
    var failed = report.Count(r => r.Failure is not null);
    Console.WriteLine($"{report.Count - failed} notebooks passed, {failed} failed; executed copies in {Path.GetFullPath(outDir)}");
    return failed == 0 ? 0 : 1;
}

static int ReleaseCommand(string[] args)
{
    string? outDir = null, template = null, workflow = null;
    var force = false;
    var inputs = new List<string>();
    for (var i = 0; i < args.Length; i++)
    {
        switch (args[i])
        {
            case "--out" when i + 1 < args.Length: outDir = args[++i]; break;
            case "--template" when i + 1 < args.Length: template = args[++i]; break;
            case "--workflow" when i + 1 < args.Length: workflow = args[++i]; break;
            case "--force": force = true; break;
            default:
                if (args[i].StartsWith("--", StringComparison.Ordinal)) throw new ClassroomException($"release: unknown option '{args[i]}'.");
                inputs.Add(args[i]);
                break;
        }
    }
    if (inputs.Count == 0) inputs.Add("notebooks");
    var lessons = Release.LessonFiles(inputs);
    if (lessons.Count == 0) throw new ClassroomException($"release: no lessons (numbered notebooks) in {string.Join(", ", inputs)}.");
    if (template is not null)
    {
        var root = CourseRoot(lessons[0]);
        Console.WriteLine($"Writing the assignment repository {Path.GetFullPath(template)}");
        AssignmentTemplate.Write(root, lessons, template);
        Console.WriteLine($"Done: commit it as a new repository, mark it as a template, and create the assignment from it (docs/classroom.md).");
    }
    else if (workflow is not null)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(workflow))!);
        File.WriteAllText(workflow, ClassroomWorkflow.Yaml(lessons.Select(LessonNotebook.Load).ToList()));
        Console.WriteLine($"Wrote {workflow}");
    }
    else
    {
        outDir ??= "student";
        Console.WriteLine($"Writing the student release to {Path.GetFullPath(outDir)}");
        Release.Write(lessons, outDir, force);
    }
    return 0;
}

static async Task<int> GradeCommand(string[] args)
{
    string? instructor = null, reportPath = null, executed = null, assemble = null;
    var limits = GradingLimits.Default;
    var inputs = new List<string>();
    for (var i = 0; i < args.Length; i++)
    {
        string Value() => i + 1 < args.Length ? args[++i] : throw new ClassroomException($"grade: {args[i]} needs a value.");
        double Number()
        {
            var option = args[i];
            return double.TryParse(Value(), System.Globalization.CultureInfo.InvariantCulture, out var n) && n > 0 ? n
                : throw new ClassroomException($"grade: {option} needs a positive number, not '{args[i]}'.");
        }
        switch (args[i])
        {
            case "--instructor": instructor = Value(); break;
            case "--report": reportPath = Value(); break;
            case "--executed": executed = Value(); break;
            case "--assemble": assemble = Value(); break;
            case "--check-timeout": limits = limits with { CheckCell = TimeSpan.FromSeconds(Number()) }; break;
            case "--cell-timeout": limits = limits with { LessonCell = TimeSpan.FromSeconds(Number()) }; break;
            case "--memory-limit": limits = limits with { MemoryBytes = (long)(Number() * 1048576) }; break;
            default:
                if (args[i].StartsWith("--", StringComparison.Ordinal)) throw new ClassroomException($"grade: unknown option '{args[i]}'.");
                inputs.Add(args[i]);
                break;
        }
    }
    if (inputs.Count == 0) return Usage(2);
    instructor ??= "notebooks";
    if (!Directory.Exists(instructor)) throw new ClassroomException($"grade: no instructor lessons at '{instructor}' (--instructor DIR).");
    var lessons = Release.LessonFiles([instructor]).ToDictionary(f => Path.GetFileName(f), f => f);
    // Folders: every lesson with exercises (a missing notebook scores zero); files: those notebooks.
    var students = new List<(string Student, string Lesson)>();
    foreach (var input in inputs)
    {
        if (Directory.Exists(input))
            students.AddRange(lessons.Where(l => LessonNotebook.Load(l.Value).Exercises.Count > 0).Select(l => (Path.Combine(input, l.Key), l.Value)));
        else if (lessons.TryGetValue(Path.GetFileName(input), out var lesson))
            students.Add((input, lesson));
        else
            throw new ClassroomException($"grade: '{Path.GetFileName(input)}' is not a lesson of {Path.GetFullPath(instructor)}: a submitted notebook keeps its lesson's file name.");
    }
    var grades = new List<NotebookGrade>();
    foreach (var (student, lessonPath) in students)
    {
        var lesson = LessonNotebook.Load(lessonPath);
        lesson.ValidateAsSolution();
        if (assemble is not null)
        {
            // What the grader would run first: the instructor's lesson with this learner's code, nothing executed.
            Directory.CreateDirectory(assemble);
            var assembled = Grader.Assemble(student, lesson);
            Release.AtomicWrite(Path.Combine(assemble, lesson.Name), assembled.ToJsonString(NotebookJson.Options) + "\n");
            Console.WriteLine($"  {Path.Combine(assemble, lesson.Name)}: the notebook the grader runs for {student}");
            continue;
        }
        Console.WriteLine($"▶ grading {student} ({Release.Count(lesson.Exercises.Count, "exercise")}, {Release.Count(lesson.TotalPoints, "point")})");
        grades.Add(await Grader.GradeAsync(student, lesson, lessonPath, limits,
            executed is null ? null : Path.Combine(executed, lesson.Name)));
    }
    if (assemble is not null) return 0;
    var report = new GradeReport(grades);
    Console.WriteLine(report.ToText());
    if (reportPath is not null)
    {
        report.Save(reportPath);
        Console.WriteLine($"Report: {Path.GetFullPath(reportPath)}");
    }
    return report.HasErrors ? 1 : 0;
}

static int GradeResultCommand(string[] args)
{
    if (args.Length != 2) return Usage(2);
    var exercise = GradeReport.Load(args[0]).Exercise(args[1]);
    if (exercise is null)
    {
        Console.WriteLine($"✗ Exercise {args[1]} is not in the report {args[0]}: was its notebook graded?");
        return 1;
    }
    Console.WriteLine(GradeReport.Line(exercise));
    return exercise.Passed ? 0 : 1;
}

static string CourseRoot(string lessonFile)
{
    for (var folder = new DirectoryInfo(Path.GetDirectoryName(lessonFile)!); folder is not null; folder = folder.Parent)
        if (File.Exists(Path.Combine(folder.FullName, "Course.sln"))) return folder.FullName;
    throw new ClassroomException($"release --template: no Course.sln above {lessonFile}; run it from a clone of the course.");
}
