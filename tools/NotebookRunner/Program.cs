using PruningLab.NotebookRunner;

// Executes lessons headlessly: dotnet NotebookRunner.dll [--out DIR] [--stub-solutions] notebook.ipynb|folder ...
// Writes the executed notebooks (with outputs) and run-report.json to DIR; exit code 1 if any cell failed.
// dotnet NotebookRunner.dll learner-copy <notebook.ipynb> <out.ipynb> writes the learner's copy without running it.
if (args.Length == 3 && args[0] == "learner-copy")
{
    var notebook = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(args[1]))!.AsObject();
    var stubbed = LearnerCopy.StubNotebook(notebook);
    Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(args[2]))!);
    File.WriteAllText(args[2], notebook.ToJsonString(NotebookJson.Options));
    Console.WriteLine($"{args[2]}: {stubbed} solutions replaced by stubs");
    return 0;
}
var outDir = "output/notebooks";
var stubSolutions = false;
var inputs = new List<string>();
for (var i = 0; i < args.Length; i++)
{
    if (args[i] == "--out" && i + 1 < args.Length) outDir = args[++i];
    else if (args[i] == "--stub-solutions") stubSolutions = true;   // run the learners' copies: solutions replaced by stubs
    else if (args[i] is "-h" or "--help")
    {
        Console.WriteLine("usage: NotebookRunner [--out DIR] [--stub-solutions] <notebook.ipynb | folder> ...");
        return 0;
    }
    else inputs.Add(args[i]);
}
if (inputs.Count == 0) inputs.Add("notebooks");

var notebooks = inputs.SelectMany<string, string>(input => Directory.Exists(input)
        ? Directory.GetFiles(input, "*.ipynb").Order(StringComparer.Ordinal)
        : File.Exists(input) ? [input] : throw new FileNotFoundException($"No notebook or folder at '{input}'.", input))
    .Select(Path.GetFullPath).ToList();
Directory.CreateDirectory(outDir);
var report = new List<NotebookReport>();
foreach (var notebook in notebooks)
{
    Console.WriteLine($"▶ {Path.GetFileName(notebook)}");
    var result = await NotebookExecutor.RunAsync(notebook, Path.Combine(outDir, Path.GetFileName(notebook)), stubSolutions);
    report.Add(result);
    Console.WriteLine(result.Failure is null
        ? $"  ✓ {result.Cells} cells in {result.Seconds:F1} s"
        : $"  ✗ cell {result.Failure.Cell} failed after {result.Seconds:F1} s: {result.Failure.Message}");
}
RunReport.Write(Path.Combine(outDir, "run-report.json"), report);
var failed = report.Count(r => r.Failure is not null);
Console.WriteLine($"{report.Count - failed} notebooks passed, {failed} failed; executed copies in {Path.GetFullPath(outDir)}");
return failed == 0 ? 0 : 1;
