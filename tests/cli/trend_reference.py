# trend_reference.py WORLD SNAPSHOT TABLE [DATA_END]: recomputes the trend features
# and trend labels of a churnkit-features table (--groups all) from the raw files
# with pandas, independently of the C code and by the definitions in
# docs/features.md; exits 1 naming any column that differs.
import sys, warnings
import numpy as np, pandas as pd
warnings.simplefilter('ignore')
from pandas.tseries.offsets import DateOffset
w, at, path = sys.argv[1], sys.argv[2], sys.argv[3]
data_end = sys.argv[4] if len(sys.argv) > 4 else None
T = pd.Timestamp(at)
acc = pd.read_csv(w + '/accounts.csv', parse_dates=['signup_date']).set_index('account_id')
users = pd.read_csv(w + '/users.csv', parse_dates=['created'])
ses = pd.read_csv(w + '/sessions.csv', parse_dates=['date']).merge(users[['user_id', 'account_id']])
ev = pd.read_csv(w + '/feature_events.csv', parse_dates=['date']).merge(users[['user_id', 'account_id']])
cat = pd.read_csv(w + '/features.csv')
ev = ev.merge(cat)
nps = pd.read_csv(w + '/nps.csv', parse_dates=['date']).merge(users[['user_id', 'account_id']])
rev = pd.read_csv(w + '/revenue.csv')
rev['m'] = pd.PeriodIndex(rev.month, freq='M')
if data_end:
    rev = rev[rev.m <= pd.Period(data_end, 'M')]
M0 = (T - pd.Timedelta(days=1)).to_period('M')
paid = rev.pivot(index='account_id', columns='m', values='mrr')
out = pd.read_csv(path).set_index('account_id')
ids = out.index
def mrr(k):
    p = M0 + k
    return paid[p].reindex(ids) if p in paid.columns else pd.Series(np.nan, index=ids)
ref = pd.DataFrame(index=ids)
s = ses[ses.date < T]
first_session = s.date.min()
since = acc.signup_date.reindex(ids).where(acc.signup_date.reindex(ids) > first_session, first_session)
def days(frm, to):
    a = since.where(since > frm, frm)
    return ((to - a).dt.days).clip(lower=0)
d0, d1 = days(T - pd.Timedelta(days=30), T), days(T - pd.Timedelta(days=90), T - pd.Timedelta(days=30))
def span(df, lo, hi):
    return df[(df.date >= T - pd.Timedelta(days=lo)) & (df.date < T - pd.Timedelta(days=hi))]
for name, lo, hi in (('r', 30, 0), ('p', 90, 30)):
    x = span(s, lo, hi)
    ref['days_' + name] = x.groupby('account_id').date.nunique().reindex(ids).fillna(0)
    ref['min_' + name] = x.groupby('account_id').minutes.sum().reindex(ids).fillna(0)
    y = span(ev[ev.is_core == 1], lo, hi)
    ref['core_' + name] = y.groupby('account_id').clicks.sum().reindex(ids).fillna(0)
ok = (d0 > 0) & (d1 > 0)
ref['active_day_share_change'] = (ref.days_r / d0 - ref.days_p / d1).where(ok)
ref['minutes_per_day_change'] = (ref.min_r / d0 - ref.min_p / d1).where(ok)
ref['core_clicks_per_day_change'] = (ref.core_r / d0 - ref.core_p / d1).where(ok)
bl = {}
for k in range(3):
    lo = T - pd.Timedelta(days=90 - 30 * k); hi = lo + pd.Timedelta(days=30)
    su = s[(s.date >= lo) & (s.date < hi)][['user_id', 'account_id']].drop_duplicates()
    e = ev[(ev.date >= lo) & (ev.date < hi)].groupby('user_id').feature.nunique()
    su = su.assign(n=su.user_id.map(e).fillna(0))
    bl[k] = su.groupby('account_id').n.mean().reindex(ids).fillna(0)
full0 = since <= T - pd.Timedelta(days=90); full1 = since <= T - pd.Timedelta(days=60)
prev = (bl[0] * full0 + bl[1] * full1) / (full0.astype(int) + full1.astype(int)).replace(0, np.nan)
ref['feature_breadth_change'] = bl[2] - prev
first_month = rev[rev.m <= M0].m.min()
for k in (1, 3):
    v = mrr(0) - mrr(-k).fillna(0)
    ref['mrr_change_%dm' % k] = v if M0 - k >= first_month else np.nan
u = users[(users.created >= T - pd.Timedelta(days=90)) & (users.created < T)]
ref['users_added_90d'] = u.groupby('account_id').size().reindex(ids).fillna(0)
last = s.groupby('user_id').date.max()
gone = last[(last >= T - pd.Timedelta(days=150)) & (last < T - pd.Timedelta(days=90))]
r = users[users.user_id.isin(gone.index)].groupby('account_id').size().reindex(ids).fillna(0)
ref['users_removed_90d'] = r if first_session <= T - pd.Timedelta(days=150) else np.nan
n = nps[nps.date < T].groupby(['account_id', 'date']).score.mean().reset_index()
def lastchange(g):
    g = g.sort_values('date')
    return g.score.iloc[-1] - g.score.iloc[-2] if len(g) >= 2 else np.nan
ref['nps_last_change'] = n.groupby('account_id').apply(lastchange).reindex(ids)
lc = ev[(ev.date < T) & (ev.is_core == 1)].groupby('account_id').date.max().reindex(ids)
fe = ev[ev.date < T].date.min()
sig = acc.signup_date.reindex(ids)
ref['core_recency_days'] = (T - lc.fillna(sig.where(sig > fe, fe))).dt.days
# labels
months = (rev.m.max() - M0).n
for h in (3, 6):
    c0, ch = (mrr(0) * 100).round(), (mrr(h) * 100).round()
    ref['expanded_%dm' % h] = ((ch > c0) & mrr(h).notna()).astype(float) if months >= h else np.nan
    ref['contracted_%dm' % h] = ((ch < c0) & mrr(h).notna()).astype(float) if months >= h else np.nan
n6 = nps[(nps.date >= T) & (nps.date < T + DateOffset(months=6))].groupby(['account_id', 'date']).score.mean().reset_index()
nxt = n6.sort_values('date').groupby('account_id').score.first().reindex(ids)
lst = n.sort_values('date').groupby('account_id').score.last().reindex(ids)
ref['nps_change_6m'] = (nxt - lst) if months >= 6 else np.nan
T3, P3 = T + DateOffset(months=3), T - DateOffset(months=3)
fut = ses[(ses.date >= T) & (ses.date < T3)].groupby('account_id').date.nunique().reindex(ids).fillna(0)
pst = s[s.date >= P3].groupby('account_id').date.nunique().reindex(ids).fillna(0)
pa = since.where(since > P3, P3)
ref['activity_change_3m'] = (fut / (T3 - T).days - pst / (T - pa).dt.days) if months >= 3 else np.nan
ref['last_paid_m0'] = mrr(1).isna().astype(float) if months >= 1 else np.nan
tol = {'active_day_share_change': 1e-6, 'activity_change_3m': 1e-6}
bad = 0
for c in [c for c in ref.columns if c in out.columns]:
    a, b = out[c].astype(float), ref[c].astype(float)
    t = tol.get(c, 1e-4 if 'mrr' not in c else 0.006)
    mism = ~(((a - b).abs() <= t + 1e-9) | (a.isna() & b.isna()))
    if mism.any():
        bad += 1
        print('%s: %d of %d rows differ' % (c, mism.sum(), len(a)))
        print(pd.DataFrame({'got': a[mism], 'ref': b[mism]}).head())
if len([c for c in ref.columns if c in out.columns]) != 17:
    print('expected the 10 trend features and 7 trend labels in', path)
    bad += 1
sys.exit(1 if bad else 0)
