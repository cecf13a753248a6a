using System.Diagnostics;
using PruningLab;
using PruningLab.Data;
using PruningLab.Models;
using PruningLab.Training;
using static TorchSharp.torch;

// Training-loop benchmark, run on demand: ./course bench [epochs=20]
// LeNet-300-100 on full Fashion-MNIST, batch 128, SGD momentum 0.9, 2 threads. Reports:
//  - the median epoch time of a plain TorchSharp loop and of the course's Trainer, and their ratio
//    (the cost of progress reporting, accuracy bookkeeping and hooks);
//  - whether epoch time and resident memory stay flat over the run (first vs last quarter of the epochs);
//  - the process's peak resident memory.
var epochs = args.Length > 0 ? int.Parse(args[0]) : 20;
const int threads = 2, batchSize = 128;
PruningLab.Runtime.TorchRuntime.EnsureLoaded();
set_num_threads(threads);
using var train = FashionMnist.Load(Split.Train);
using var validation = FashionMnist.Load(Split.Validation);
Console.WriteLine($"LeNet-300-100, {train.Count:N0} Fashion-MNIST images, batch {batchSize}, {threads} threads, {Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}");

// A/B rounds, alternating one plain epoch and one course epoch, so that drift of this shared VM hits both alike.
const int rounds = 6;
var plain = new List<double>();
var abCourse = new List<double>();
using (var plainModel = ModelZoo.Create(ModelZoo.LeNet300100, seed: 0))
using (var plainOptimizer = optim.SGD(plainModel.parameters(), 0.05, momentum: 0.9))
using (var courseModel = ModelZoo.Create(ModelZoo.LeNet300100, seed: 0))
{
    for (var round = 0; round < rounds; round++)
    {
        plain.Add(PlainEpoch(plainModel, plainOptimizer, train, round));
        abCourse.Add(Trainer.Fit(courseModel, train, validation, new TrainingOptions
        {
            Epochs = 1, BatchSize = batchSize, Seed = round, Progress = ProgressDisplay.None,
            Optimizer = OptimizerSettings.Sgd(0.05, momentum: 0.9),
        })[0].Seconds);
    }
}
Console.WriteLine($"A/B, {rounds} rounds (first round is warm-up, excluded):");
Console.WriteLine($"  plain TorchSharp loop : median {Statistics.Median(plain.Skip(1)):F3} s/epoch  [{string.Join(", ", plain.Select(s => s.ToString("F2")))}]");
Console.WriteLine($"  course Trainer.Fit    : median {Statistics.Median(abCourse.Skip(1)):F3} s/epoch  [{string.Join(", ", abCourse.Select(s => s.ToString("F2")))}]");
Console.WriteLine($"  ratio course / plain  : {Statistics.Median(abCourse.Skip(1)) / Statistics.Median(plain.Skip(1)):F3}");

using var model = ModelZoo.Create(ModelZoo.LeNet300100, seed: 0);
var rss = new List<double>();
var history = Trainer.Fit(model, train, validation, new TrainingOptions
{
    Epochs = epochs, BatchSize = batchSize, Seed = 0, Progress = ProgressDisplay.Lines,
    Optimizer = OptimizerSettings.Sgd(0.05, momentum: 0.9),
}, _ => rss.Add(Environment.WorkingSet / 1e6));
var course = history.Select(e => e.Seconds).ToList();
var quarter = Math.Max(1, epochs / 4);
Console.WriteLine($"course Trainer.Fit, one run of {epochs} epochs: median {Statistics.Median(course):F3} s/epoch, validation accuracy {history.Last!.ValidationAccuracy:P2}");
Console.WriteLine($"epoch time, first vs last {quarter}: median {Statistics.Median(course.Take(quarter)):F3} s → {Statistics.Median(course.TakeLast(quarter)):F3} s");
Console.WriteLine($"resident memory after epoch 1 / {quarter} / {epochs}: {rss[0]:F0} / {rss[quarter - 1]:F0} / {rss[^1]:F0} MB");
Console.WriteLine($"peak resident memory          : {Process.GetCurrentProcess().PeakWorkingSet64 / 1e6:F0} MB");

// The reference: the same model, data and optimiser, with nothing but a shuffled index_select per batch.
static double PlainEpoch(TorchSharp.torch.nn.Module<Tensor, Tensor> model, TorchSharp.torch.optim.Optimizer optimizer, ImageDataset data, int seed)
{
    var n = data.Count;
    var clock = Stopwatch.StartNew();
    using var order = randperm(n, generator: new Generator((ulong)seed));
    for (var start = 0; start < n; start += batchSize)
    {
        using var scope = NewDisposeScope();
        var rows = order.narrow(0, start, Math.Min(batchSize, n - start));
        var x = data.Images.index_select(0, rows);
        var y = data.Labels.index_select(0, rows);
        optimizer.zero_grad();
        var loss = nn.functional.cross_entropy(model.forward(x), y);
        loss.backward();
        optimizer.step();
    }
    return clock.Elapsed.TotalSeconds;
}
