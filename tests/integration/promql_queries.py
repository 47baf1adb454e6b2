"""Queries for promql_parse_compare.py: our parser against Prometheus 2.42.

VALID are expected to parse (Format() must equal Prometheus' format_query),
INVALID to fail (the error text must be the same). The verdict that counts
is Prometheus' own; the split only documents intent. SELECTORS go to
/api/v1/series match[] and ParseMetricSelector.
"""

VALID = r"""
up
foo_bar:baz
:foo
a:
{job="x"}
{__name__="foo"}
{__name__=~"foo.*",job!="a"}
foo{}
foo{a="b",}
foo{b="1",a="2"}
foo{a="1",a="2"}
foo{a!="1",a="0"}
foo{a=~"x{", b!~"\\d+"}
foo{a='single'}
foo{a=`raw\n`}
foo{a="\u00e9\x01\U0001F600\101 \a\t"}
foo{a="\x80\xff"}
foo{a="\u200b\u00a0\ue000\u0378"}
foo{a="é"}
foo{a="tab\there", b="quote\"d"}
foo{a='it\'s'}
foo{sum="a", by="b", inf="c", start="d", on="e", bool="f"}
foo  {  a  =  "b"  ,  c  !~  "d"  }
sum
sum + 1
avg{a="b"}
by{a="b"}
start
end
start{a="b"}
offset
by
without
and
or
unless
count_values
offset offset 5m
and and and
SUM(x) BY (a)
x AND y
x Or y
1
-1
+5
- 5
- -5
.5
5.
0x1F
0X1f
0x1e5
0xe+5
010
019
0012.5
1e3
1E-3
1.5e3
1e30
1e20
1e21
1e-05
0.0001
1234567
123456789012345678
99999999999999999999
Inf
-inf
+Inf
NaN
nan
Infinity
"a string"
'single'
`raw \ string`
"\u00e9"
"a\"b"
'a\'b'
"\x80"
"\U0001F600"
"é\t"
x[5m]
x[1h30m]
x[90m]
x[5d]
x[104w]
x[2y]
x[1y2w]
x[1ms]
x[1500ms]
x[ 5m ]
x[5m a]
x[5m a1m]
x[5m:]
x[5m:1m]
x[30m:1m]
x[5m : 1m]
x offset 5m
x offset -5m
x offset - 1h
x offset 1h30m
x @ 100
x @ -5
x @ +5
x @ 0x10
x @ 1.2345
x @ 1e9
x @ start()
x @ end()
x @ start() offset 5m
x offset 5m @ end()
x[5m] offset 1m
x[5m] @ 10
x{a="b"}[5m] offset 3m @ 10
x[5m:] @ end() offset 1m
x @ start() [5m]
x offset 5m [5m:]
sum(x)[5m:1m] offset 1m
(x)[5m:]
rate(x[5m])[30m:1m]
1 + 2
1 - 2 - 3
2 ^ 3 ^ 2
(2^3)^2
-2^2
-a ^ 2
-a * 2
-(5)
-(x)
+x
1 - -5
a + b * c == d
a * b atan2 c
a atan2 b * c
a or b and c
a and b or c
a unless b and c
a or b unless c
a == bool b
1 == bool 2
pi() == bool pi()
vector(1) == 1
a > b
a >= b
a < b
a <= b
a != b
a % b
a / b
a + on(b) group_left(c) d
a + on(b) group_left c
a + on(b) group_right(c) d
a + ignoring(x) group_right b
a + ignoring() group_left() b
a + on() b
a - on(x,y,) b
a + on(a,) group_left(b,) c
a == bool on(b) group_right(c) d
a and on(b) c
a or ignoring(b) c
a unless on() c
a + on (b) c:d
1 + on() x
x + on() 1
a + on(sum, by) b
a + on(x) group_left(and) b
a and on(b, c) group_left
sum(x)
sum(x) by (a)
sum by (a) (x)
sum by (a,) (x)
sum by () (x)
sum without () (x)
sum without (a,b,) (x)
sum(x) without (a)
avg(x)
count(x)
min(x)
max(x)
group(x)
stddev(x)
stdvar(x)
topk(3, x)
topk(3, x) by (a)
bottomk(1,x)
quantile(0.9, x)
count_values("v", x)
count_values by (a) ("x", y)
sum by (on, bool, offset, start, atan2) (x)
sum by (group_left, group_right, ignoring, by, and) (x)
sum by (sum, avg, count, topk, end) (x)
sum(rate(x[5m])) by (job) / on(job) group_left sum(y) by (job)
abs(x)
absent(x)
absent_over_time(x[5m])
acos(x)
acosh(x)
asin(x)
asinh(x)
atan(x)
atanh(x)
avg_over_time(x[5m])
ceil(x)
changes(x[5m])
clamp(x, 1, 2)
clamp_max(x, 1)
clamp_min(x, 1)
cos(x)
cosh(x)
count_over_time(x[5m])
days_in_month()
days_in_month(x)
day_of_month()
day_of_week(x)
day_of_year(x)
deg(x)
delta(x[5m])
deriv(x[5m])
exp(x)
floor(x)
histogram_count(x)
histogram_sum(x)
histogram_fraction(0, 1, x)
histogram_quantile(0.9, rate(x[5m]))
holt_winters(x[5m], 0.5, 0.5)
hour()
idelta(x[5m])
increase(x[5m])
irate(x[5m])
label_join(x, "a", ",", "b", "c")
label_join(x,"a","b")
label_replace(up, "a", "$1", "b", "(.*)")
last_over_time(x[5m])
ln(x)
log10(x)
log2(x)
max_over_time(x[5m])
min_over_time(x[5m])
minute(x)
month(x)
pi()
predict_linear(x[5m], 3600)
present_over_time(x[5m])
quantile_over_time(0.5, x[5m])
rad(x)
rate(x[5m])
rate(x[5m] offset 1m)
rate(x[5m:])
rate(sum(x)[5m:])
resets(x[5m])
round(x)
round(x, 5)
scalar(x)
sgn(x)
sin(x)
sinh(x)
sort(x)
sort_desc(x)
sqrt(x)
stddev_over_time(x[5m])
stdvar_over_time(x[5m])
sum_over_time(x[5m])
tan(x)
tanh(x)
time()
time() + 1
timestamp(x)
vector(1)
year()
rate(x, by)
sum(x) by (a) + rate(y[5m])
x # trailing comment
-0
1e-7
100000
123456789
0.000123
1e100
2.5e-300
4.9e-324
1.7976931348623157e308
-0 * x
x @ -0
x @ 0.0005
x @ 0.0015
x @ -1.5
x[5m] @ start()
{a="b"} offset 5m
x{a="b"}[5m:]
x[5m]offset 5m
-x offset 5m
a > bool on(b) c
x or on(a) group_left(b) y
sum without(a)(x)
x	+	y
x @ 1e18
x offset 1y
sum(x) by (a) + on(a) group_right sum(y) by (a)
1.000000000000000000001
x{a=~"\\d"}
x{a=~"[[:alpha:]]"}
x{a=~"\\pL\\p{Greek}"}
x{a=~"(?i)foo"}
x{a=~"a{,5}"}
x{a=~"\\Q.\\E"}
x{a=~"(?s:.)x*?\\b\\z\\A"}
x{a=~"(?U)a+|"}
x{a=~"a{1000}"}
x{a=~"(?i)"}
vector(1) and vector(2)
(1) == bool 2
x{a="ééééééé"}
"\u00e9" + "x" == "y" or z
"""

# Queries spanning lines (positions are line:column).
MULTILINE = [
    "# leading comment\nx",
    "x\n+\ny",
    "sum(\n  rate(x[5m])\n) by (job)",
    "x\n+\n",
    "foo\nbar",
    "sum(\n  rate(x[5m]) by (job)\n)",
    "x +\n  \n  on(a) group_left(b) bool y",
    "\"multi\nline\"",
    "x{\na=\"b\"\nc}",
    "1 # c\n == 1",
    "x\r\n+ y $",
    "\n\n\tfoo{a=~\"(\"}",
    "x{a=\"b\", # comment\nc=\"d\"}",
    "x # comment\n[5m]",
    "1 +\n2",
    "x\n[5m] é",
]

INVALID = r"""
foo{a="b"} é
x "ééééééé"
x "éééééééééééé"
1.2.3
sum(x) by (a) (y)
count by
x @ 1 offset
"a" "b"
x BY
x @ 1e19
1 @ 5
sum(x) @ start()
time() @ 5
x{,a="b"}
abs(x)[5m]
sum(x) by (a) @ 5
+"a"
(1) == 2
x and bool y
a unless ignoring(b) group_right c
topk(5, x, y)
quantile(x)
count_values(x)
x{a=~"[\\d-z]"}
x{a=~"\\1"}
x{a=~"(a{500}){3}"}
x{a=~"(?i"}
x{a=~"\\"}
x{a="b"}}
x{a="b"}]
x[5m]:
x[5m:1m] [5m]
foo{a="b"} offset
x offset 5m5s
x offset 1h30
x[1h30]
x @ start() offset 5m offset 1m
sum(rate(x[5m]) by (a) or on (b) y
"\xzz"
x{a="\u00"}
1 +
foo bar
sum(foo) by bar
sum by
sum bar
sum(foo
foo{a="b" c="d"}
foo{a}
foo{a=}
foo{="a"}
foo[5m
foo[5m:1m
foo[]
foo[5m 1m]
foo[5m:1m 2m]
foo offset
foo offset bar
foo @
foo @ bar
foo @ start
rate(foo[5m],)
rate(foo[5m],
(
)
()

# just comment
foo[5m][5m:]
x[5m:][5m]
1 + bool 2
1 == 2
pi() == pi()
a and on(b) group_left c
a and 1
1 or a
a + on(b) group_left(b) c
sum(1)
topk(x, y)
count_values(1, x)
quantile("a", x)
a + on(b) bool c
foo{__name__="bar"}
foo{__name__="bar"} + 1
foo{__name__=~"b.*"}
sum()
topk(x)
sum(a,b)
abs()
round(x, 1, 2)
label_join(x)
time(1)
year(x, y)
x offset 0s
x[0s]
x[5m:0s]
x[1.5m]
x[5]
x offset 5
x @ 1e30
x @ NaN
x @ -Inf
x @ inf
x @ 100 @ 200
x @ start() @ 5
x offset 1m offset 2m
x offset 1m @ 1 offset 1m
sum(x) offset 5m
sum(x) @ 5
sum(x) @ NaN
x @ 5 [5m]
x offset 5m [5m]
"a" + 1
-"a"
-x[5m]
x[5m] + 1
{a=""}
{a=~".*"}
{a!~"x"}
{a!="x"}
{}
{a=""}[5m]
1e
0x
1e+
1e400
0xFFFFFFFFFFFFFFFFFF
0x.5
1_000
5x
5mx
x[2w1y]
x[5mm]
x[5hs]
x[1h30]
x[300y]
x[9999999999999999999999y]
atan2
bool
on
ignoring
group_left
group_right
on{a="b"}
atan2{a="b"}
inf{a="b"}
x offset 5m{a="b"}
sum by (inf) (x)
sum by (without) (x)
sum by (a:b) (x)
sum by ("a") (x)
sum by (a.b) (x)
x{a:b="c"}
x{1a="b"}
x{a="b"=}
x{a="b"}{c="d"}
x{{
rate(x[5m]) by (a)
sum(x) by (a) by (b)
sum by (a) (x) by (b)
sum by (a) without (b) (x)
sum by (a)
sum by (a) start
sum(rate(,))
sum(1 + )
sum((x y))
sum(x y)
sum(rate(x[5m] y))
sum(x,)
sum(on)
rate(x, on)
rate(x, ])
rate(x,,)
rate(x, , y)
rate(,x)
foo(x,)
foo(1
foo(x) $
foo(x)
histogram_stddev(x)
histogram_stdvar(x)
mad_over_time(x[5m])
sort_by_label(x)
sum() $
sum by (a) () $
rate(x,) $
x[5m:b]
x[5m,]
x[5m:1m,]
x[5m:,]
x[5m 5]
x[5m:5]
x[5m:1m:]
x[5m offset 1m]
x[5m[
x @ start(1)
x @ -foo
x @ (1)
x @ start(
x offset -foo
x offset -
x "abcdefghijklm"
x 1234567890123
x 5m
x a:b
x sum
x start
x @ 5 @
x[5m] [5m]
a + on(b) group_left (c + d)
a + on(b) group_left ,
a + on(b) group_left )
a + on(b) group_left
a + on(b) group_left ]
a + group_left b
a + on(b)
a + on b
a + bool
a + ,
1 + on(a) 2
a and on(b) 1
x + (y
x )
(x))
x ]
x[5m]]
x{
x{a
x{a=
x{a="b"
{a="b" "c"}
{a="b" "abcdefghijklm"}
{a="b",,}
{,}
"abc
'abc
`abc
"a\qb"
"\x4g"
"\u12"
"\400"
"\ud800"
"\U00110000"
'\"'
"\'"
"a\
x !
x =~ y
x = y
x !~ y
x $
x{a=~"("}
x{a=~")"}
x{a=~"[a"}
x{a=~"\\"}
x{a=~"a**"}
x{a=~"*"}
x{a=~"x{2,1}"}
x{a=~"\\C"}
x{a=~"\\Z"}
x{a=~"(?<n>a)"}
x{a=~"[z-a]"}
x{a=~"\\pX"}
x{a=~"(?z)"}
x{a=~"a{1001}"}
x{a=~"[[:foo:]]"}
x{a!~"x++"}
x{a=~"(?P<>a)"}
x{a=~"(?P<n>a)"} + x{b=~"\\8"}
rate(x)
rate(x[5m:1m] offset 1m)[5m]
vector(x)
scalar(1)
year(1)
absent(x[5m])
clamp(x,x,1)
clamp(x,1,x)
histogram_quantile(1,1)
histogram_fraction(1,x,x)
holt_winters(x,1,1)
label_join(x,"a","b",1)
label_replace(x,"a","b","c",1)
predict_linear(x[5m], x)
quantile_over_time(x, x[5m])
round(x, x)
-x @ 5 + "a"
sum(x) + "a"
topk(1, x) and 1
x and on(a) group_right(b) y
"a" == "b"
(x)[5m]
1[5m]
1[5m:]
"a"[5m:]
x[5m][5m]
abs(x[5m])
x{a="b"} offset 5m offset 1m
"""

SELECTORS = r"""
up
{job="x"}
http_requests_total{code=~"5.."}
sum
foo:bar{a!="b"}
{}
{a=""}
{a=~".*"}
foo{
rate(x[5m])
foo bar
x[5m]
x offset 5m
{a="b" c="d"}
foo{a=~"("}

foo{__name__="bar"}
1
"""
