# %%
# In a fresh hosted notebook (Colab, Kaggle), remove the "#" before %pip and
# run this cell first: it installs kerasteach (or the wheel your teacher gives).
# # %pip install kerasteach

# %% [markdown]
# # 8. Baselines: is a simpler method enough?
#
# Before a neural network, a good practitioner tries the simple methods: a
# logistic regression and a random forest from scikit-learn, on the same
# MNIST data. If one of them is good enough, it is cheaper to train, to
# explain and to run. Compare with examples 1 to 3.

# %%
import time

from kerasteach.course import load_images, options, output_folder, save_results, score
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression

args = options("scikit-learn baselines on MNIST", epochs=1)
out = output_folder(args, "08_baselines")
data = load_images("mnist", args.quick, normalize=True, flatten=True)
(x_train, y_train), (x_test, y_test) = data

# %%
baselines = {
    "logistic regression": LogisticRegression(max_iter=100 if args.quick else 300),
    "random forest": RandomForestClassifier(
        n_estimators=100, n_jobs=-1, random_state=0
    ),
}
results = {}
for name, method in baselines.items():
    started = time.perf_counter()
    method.fit(x_train, y_train)
    results[name] = method.score(x_test, y_test)
    print(
        f"{name:>20}: test accuracy {score(data, results[name])}, "
        f"trained in {time.perf_counter() - started:.0f} s"
    )
save_results(out, results)
