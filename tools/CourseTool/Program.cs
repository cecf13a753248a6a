using PruningLab.CourseTool;

// The course's own commands that need the library (./course calls them):
//   experiments [01|02|03|04|07|08|09] [--seeds 0,1,2]   run the lessons' multi-seed experiments; write experiments/lessonNN.json
//   html-ready <executed.ipynb>... --out DIR   copies whose charts carry HTML, with plotly.js inlined once, for nbconvert
return args.FirstOrDefault() switch
{
    "experiments" => Experiments.Run(args[1..]),
    "html-ready" => HtmlReady.Run(args[1..]),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: CourseTool experiments [01|02|03|04|07|08|09] [--seeds 0,1,2] | html-ready <notebook.ipynb>... --out DIR");
    return 2;
}
