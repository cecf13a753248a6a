using PruningLab.Data;
using PruningLab.Exercises;
using PruningLab.Models;
using PruningLab.Pruning;
using PruningLab.Quantization;
using PruningLab.Training;
using static TorchSharp.torch;

namespace PruningLab.Tests.Exercises;

/// <summary>
/// Exercise 9.1's check (the capstone's final assignment): the size is counted from the weights alone (hand counts on
/// an MLP), the accuracy by hand on the committed sample, the two bars decide, and every way an answer can be wrong or
/// dishonest — a stub, the dense network itself, an edited dense network or test split, a network the check cannot
/// rebuild, another architecture — fails with a message that says what was wrong, and leaves the lesson's data intact.
/// </summary>
public class CapstoneCheckTests
{
    // Accuracy by hand: the arg-max of each image's scores against its label.
    private static double HandAccuracy(nn.Module<Tensor, Tensor> model, ImageDataset data)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        model.eval();
        var scores = model.call(data.Images).data<float>().ToArray();
        var labels = data.Labels.data<long>().ToArray();
        var right = 0;
        for (var i = 0; i < labels.Length; i++)
        {
            var best = 0;
            for (var c = 1; c < 10; c++) if (scores[i * 10 + c] > scores[i * 10 + best]) best = c;
            if (best == labels[i]) right++;
        }
        return right / (double)labels.Length;
    }

    [Fact]
    public void Stored_bits_count_each_weight_tensor_in_its_cheaper_form_fp32_or_its_own_shared_values()
    {
        using var model = ModelZoo.Create(ModelZoo.Mlp(16), seed: 0);   // 784-16-10: 12,544 + 160 weights, 16 + 10 biases
        // Random weights: 12,704 distinct values, so fp32 is cheaper than any codebook.
        Assert.Equal(32L * (12_544 + 160 + 26), Lesson09.StoredBits(model));
        // fc1 holds two values, ±0.5, and no zero: Huffman gives each 1 bit, the table 8 bits per code of the
        // alphabet {0, −0.5, +0.5}, the codebook 2 × 32 bits. fc2 and the biases stay fp32.
        using (no_grad()) { var fc1 = model.state_dict()["fc1.weight"]; fc1.copy_(fc1.sign() * 0.5f); }
        Assert.Equal(12_544 + 3 * 8 + 2 * 32 + 32L * (160 + 26), Lesson09.StoredBits(model));

        using var table = WeightSharing.Tabulate(tensor(new[] { 0f, 0.5f, -1f, 0.5f, 0f }));
        Assert.Equal(new long[] { 0, 2, 1, 2, 0 }, table.Codes.data<long>().ToArray());
        Assert.Equal((3, 64L), (table.Levels, table.SideBits));
        Assert.Equal(new[] { 0f, 0.5f, -1f, 0.5f, 0f }, table.Values.data<float>().ToArray());
    }

    [Fact]
    public void A_compressed_VGG_is_measured_by_hand_and_the_two_bars_decide_and_say_which_failed()
    {
        using var data = CourseData.FashionMnist(DatasetSize.Sample);
        var dense = Dense(data);
        using var attempt = Lesson09.Attempt(dense, data.Test, () =>
        {
            var copy = ModelZoo.Copy(dense.Model);
            using var masks = ModelMasks.For(copy);
            masks.Prune(Scope.Global(0.5));
            using var codes = ModelQuantization.KMeans(copy, 4);
            return copy;
        });
        Assert.True(attempt.Succeeded);
        var accuracy = HandAccuracy(attempt.Model!, data.Test);
        var bits = Lesson09.StoredBits(attempt.Model!);
        var ratio = dense.Model.parameters().Sum(p => p.numel()) * 32 / (double)bits;

        var passed = Lesson09.CheckCompression(attempt, dense, data.Validation, data.Test, minRatio: ratio - 0.01, minAccuracy: accuracy - 1e-9);
        Assert.True(passed.Passed, passed.ToString());
        Assert.StartsWith($"{bits:N0} bits, {ratio:F1}× smaller", passed.Message);
        Assert.Contains($"test accuracy {accuracy:P2}", passed.Message);
        var measured = Lesson09.Measure(attempt, dense, data.Validation, data.Test);
        Assert.Equal((ModelZoo.SmallVgg, bits), (measured.Architecture, measured.Bits));
        Assert.Equal(accuracy, measured.Test, 9);
        Assert.Same(measured, Lesson09.Measure(attempt, dense, data.Validation, data.Test));   // measured once

        AssertFails(Lesson09.CheckCompression(attempt, dense, data.Validation, data.Test, minRatio: ratio + 0.1, minAccuracy: 0), "not small enough");
        AssertFails(Lesson09.CheckCompression(attempt, dense, data.Validation, data.Test, minRatio: 1, minAccuracy: accuracy + 0.001), "not accurate enough");
        dense.Model.Dispose();
    }

    [Fact]
    public void Stubs_the_dense_network_edited_inputs_unbuildable_networks_and_other_architectures_fail_with_the_reason()
    {
        using var data = CourseData.FashionMnist(DatasetSize.Sample);
        var dense = Dense(data);
        var (weightsBefore, labelsBefore) = (dense.Model.state_dict()["features.conv2.weight"].clone(), data.Test.Labels.clone());
        CheckResult Check(Func<nn.Module<Tensor, Tensor>> compress)
        {
            using var attempt = Lesson09.Attempt(dense, data.Test, compress);
            return Lesson09.CheckCompression(attempt, dense, data.Validation, data.Test, minRatio: 1, minAccuracy: 0);
        }

        var stub = Check(() => throw new NotImplementedException());
        Assert.False(stub.Passed);
        Assert.Contains("not implemented yet", stub.Message);
        Assert.NotEmpty(stub.Hint);
        AssertFails(Check(() => throw new InvalidOperationException("boom")), "your code threw InvalidOperationException");
        AssertFails(Check(() => dense.Model), "the dense network itself");
        // Pruning the dense network in place, or rewriting the test labels: said, and put back.
        AssertFails(Check(() =>
        {
            using (no_grad()) dense.Model.state_dict()["features.conv2.weight"].mul_(0);
            return ModelZoo.Copy(dense.Model);
        }), "changed the dense network's features.conv2.weight");
        AssertFails(Check(() =>
        {
            data.Test.Labels.fill_(0);
            return ModelZoo.Copy(dense.Model);
        }), "changed the test labels");
        Assert.True(ExerciseCheck.Same(weightsBefore, dense.Model.state_dict()["features.conv2.weight"]));
        Assert.True(ExerciseCheck.Same(labelsBefore, data.Test.Labels));
        // A module the check cannot rebuild from its architecture (its weights could hide anywhere), and another network.
        AssertFails(Check(() => nn.Sequential(nn.Flatten(), nn.Linear(784, 10))), "could not");
        AssertFails(Check(() => ModelZoo.Create(ModelZoo.LeNet300100, seed: 0)), "the exercise asks for the small VGG");
        // The data the function is given has no test split, and disposing it leaves the splits it shares alone.
        using (var withoutTest = data.WithoutTest())
            Assert.Contains("no test split", Assert.Throws<InvalidOperationException>(() => withoutTest.Test).Message);
        Assert.Equal(data.Train.Count, data.Train.Labels.numel());

        using var failed = Lesson09.Attempt(dense, data.Test, () => throw new NotImplementedException());
        Assert.Throws<InvalidOperationException>(() => Lesson09.Measure(failed, dense, data.Validation, data.Test));
        dense.Model.Dispose();
        weightsBefore.Dispose();
        labelsBefore.Dispose();
    }

    private static PretrainedModel Dense(CourseData data)
    {
        var model = ModelZoo.Create(ModelZoo.SmallVgg, seed: 0);
        var history = Trainer.Fit(model, data.Train, data.Validation, new TrainingOptions { Epochs = 1, BatchSize = 64, Progress = ProgressDisplay.None });
        return new PretrainedModel(model, history, "", FromCache: false, Key: "capstone-check-test-vgg");
    }

    private static void AssertFails(CheckResult result, string expected)
    {
        Assert.False(result.Passed, result.ToString());
        Assert.Contains(expected, result.Message);
    }
}
