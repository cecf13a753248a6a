using PruningLab.Models;
using PruningLab.Pruning;
using PruningLab.Structured;
using static TorchSharp.torch;

// Structured-pruning benchmark, run on demand: ./course bench structured [repeats=50]
// Everything is measured in one run, models interleaved repeat by repeat, 2 threads, evaluation mode:
//  - the small VGG (Fashion-MNIST sized inputs), dense vs channel-masked vs shrunk, 30 % and 50 % of every conv's
//    channels removed: median latency at batch 1 and 64, and the ratios beside the MAC and parameter ratios;
//  - LeNet-300-100 dense vs 90 % fine-grained sparse (zeros in a dense kernel): the same time;
//  - a dense vs sparse matmul sweep (TorchSharp COO and a plain C# CSR kernel) and its break-even sparsity.
// Latency does not depend on the weights' values, so the models are freshly initialised; lesson 04 measures trained ones.
var repeats = args.Length > 0 ? int.Parse(args[0]) : 50;
PruningLab.Runtime.TorchRuntime.EnsureLoaded();
Console.WriteLine($"{Environment.ProcessorCount} cores, 2 threads, {repeats} timed repeats after 5 warm-up passes, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}");

using var dense = ModelZoo.Create(ModelZoo.SmallVgg, seed: 0);
var models = new List<(string Label, nn.Module<Tensor, Tensor> Model)> { ("dense", dense) };
var costs = new Dictionary<string, ModelCost> { ["dense"] = ModelCost.Of(dense) };
foreach (var fraction in new[] { 0.3, 0.5 })
{
    var keep = ChannelPruning.Select(dense, fraction);
    var masked = ModelZoo.Copy(dense);
    ChannelPruning.Mask(masked, keep);
    var shrunk = ChannelSurgery.Shrink(dense, keep);
    models.Add(($"masked {fraction:P0}", masked));
    models.Add(($"shrunk {fraction:P0}", shrunk));
    costs[$"masked {fraction:P0}"] = costs["dense"];
    costs[$"shrunk {fraction:P0}"] = ModelCost.Of(shrunk);
}
var results = Latency.Measure(models, [1, 64], repeats);
Console.WriteLine($"\n{"small VGG",-14} {"batch",5} {"median ms",10} {"speed-up",9} {"MACs",11} {"MAC ratio",10} {"parameters",11}");
foreach (var r in results)
{
    var baseline = results.Single(d => d.Model == "dense" && d.Batch == r.Batch).MedianMs;
    var cost = costs[r.Model];
    Console.WriteLine($"{r.Model,-14} {r.Batch,5} {r.MedianMs,10:F3} {baseline / r.MedianMs,8:F2}× {cost.Macs,11:N0} {costs["dense"].Macs / (double)cost.Macs,9:F2}× {cost.Parameters,11:N0}");
}

using var lenet = ModelZoo.Create(ModelZoo.LeNet300100, seed: 0);
using var sparse = ModelZoo.Copy(lenet);
using (var masks = ModelMasks.For(sparse)) masks.Prune(Scope.Global(0.9));
var fc = Latency.Measure([("dense", lenet), ("90 % sparse", sparse)], [1, 64], repeats);
Console.WriteLine($"\nLeNet-300-100 (dense kernels multiply the zeros too)");
foreach (var r in fc)
    Console.WriteLine($"{r.Model,-14} batch {r.Batch,3}: {r.MedianMs,8:F3} ms  ({fc.Single(d => d.Model == "dense" && d.Batch == r.Batch).MedianMs / r.MedianMs:F2}× the dense speed)");

var sweep = SparseCompute.Sweep(300, 784, 64, [0.5, 0.7, 0.8, 0.9, 0.95, 0.97, 0.98, 0.99, 0.995], repeats: Math.Max(5, repeats / 3));
Console.WriteLine($"\nW [300×784] · X [784×64] (LeNet-300-100's fc1 on a batch of 64), median ms");
Console.WriteLine($"{"sparsity",9} {"dense",8} {"torch COO",10} {"C# CSR",8} {"speed-up",9}");
foreach (var p in sweep) Console.WriteLine($"{p.Sparsity,9:P1} {p.DenseMs,8:F3} {p.TorchSparseMs,10:F3} {p.CsrMs,8:F3} {p.Speedup,8:F2}×");
var breakEven = SparseCompute.BreakEven(sweep);
Console.WriteLine(breakEven is { } b ? $"break-even sparsity: {b:P1}" : "no break-even within the sweep: dense wins everywhere");
