#!/usr/bin/env node
// Drives a running `tocsin serve` with the real AWS SDK for JavaScript v3
// (@aws-sdk/client-ssm-incidents and @aws-sdk/client-eventbridge), through the same
// operations tests/e2e/test_boto3.py drives with boto3: a response plan, a rule on a custom
// bus that opens incidents from CloudWatch alarm events, an archive and a replay of it, a
// directly started incident with a note, a related item and tags, and filtered listings.
//
//   node tests/e2e/js/drive.mjs ENDPOINT [ACCESS_KEY_ID SECRET_ACCESS_KEY]
//
// The endpoint and keys may come from the environment instead: TOCSIN_ENDPOINT,
// TOCSIN_ACCESS_KEY_ID, TOCSIN_SECRET_ACCESS_KEY (tests/e2e/test_js_sdk.py passes the keys
// this way, so the secret is not on a command line).
//
// Prints one JSON document of what it observed (ids, states, counts) on stdout and exits 0;
// on any SDK error (or a wait that timed out) prints a message naming the step to stderr,
// with what it had observed so far, and exits 1. It asserts nothing itself: the pytest test
// does that. Run `scripts/setup.sh` first (it runs `npm ci` here).
//
// Versions (package.json): each client is the newest release whose `engines` allows Node 18
// (Debian 12's nodejs is 18.20), and so is every package in package-lock.json:
// client-eventbridge 3.967.0 (3.968.0 on need Node >= 20); client-ssm-incidents 3.523.0 (the
// registry has no release of it between 3.523.0 and 3.1014.0, which needs Node >= 20). The
// override pins @aws-sdk/util-locate-window (a browser-only dependency of
// @aws-crypto/sha256-browser, `^3.0.0`) to 3.965.0: its later releases need Node >= 20.
// Note: client-ssm-incidents 3.523.0 sends timestamps (eventTime, filters) rounded to whole
// seconds; client-eventbridge 3.967.0 sends milliseconds.

import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import {
    CreateResponsePlanCommand,
    CreateTimelineEventCommand,
    GetIncidentRecordCommand,
    ListIncidentRecordsCommand,
    ListRelatedItemsCommand,
    ListTagsForResourceCommand,
    ListTimelineEventsCommand,
    SSMIncidentsClient,
    StartIncidentCommand,
    TagResourceCommand,
    UntagResourceCommand,
    UpdateIncidentRecordCommand,
    UpdateRelatedItemsCommand,
} from "@aws-sdk/client-ssm-incidents";
import {
    CreateArchiveCommand,
    CreateEventBusCommand,
    DescribeArchiveCommand,
    DescribeReplayCommand,
    EventBridgeClient,
    ListTargetsByRuleCommand,
    PutEventsCommand,
    PutRuleCommand,
    PutTargetsCommand,
    StartReplayCommand,
} from "@aws-sdk/client-eventbridge";

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, "..", "..", "..");
const ALARM_EVENT_FILE = join(ROOT, "examples", "events", "cloudwatch-alarm-state-change-single-metric.json");
const ALARM_PATTERN = { source: ["aws.cloudwatch"], "detail-type": ["CloudWatch Alarm State Change"] };

const PLAN_NAME = "js-sdk-cpu";
const PLAN_TITLE = "CPU high (JS SDK)";
const PLAN_IMPACT = 2;
const PLAN_TAGS = { owner: "sre", driver: "js-sdk" };
const DIRECT_TITLE = "Started directly (JS SDK)";
const DIRECT_IMPACT = 4;
const DIRECT_TOKEN = "js-sdk-direct-1";
const BUS = "js-ops";
const RULE = "js-alarms";
const ARCHIVE = "js-alarms-archive";
const REPLAY = "js-again";
const NOTE_TEXT = "Rolled back v42 (from the JS SDK)";
const RELATED_URL = "https://status.example.com/js-sdk";
const WAIT_MS = 20_000;

// --- arguments --------------------------------------------------------------------------
const [argEndpoint, argKey, argSecret] = process.argv.slice(2);
const endpoint = argEndpoint || process.env.TOCSIN_ENDPOINT;
const accessKeyId = argKey || process.env.TOCSIN_ACCESS_KEY_ID;
const secretAccessKey = argSecret || process.env.TOCSIN_SECRET_ACCESS_KEY;
if (!endpoint || !accessKeyId || !secretAccessKey) {
    process.stderr.write(
        "usage: node drive.mjs ENDPOINT [ACCESS_KEY_ID SECRET_ACCESS_KEY]\n" +
            "  (or TOCSIN_ENDPOINT, TOCSIN_ACCESS_KEY_ID, TOCSIN_SECRET_ACCESS_KEY in the environment)\n",
    );
    process.exit(2);
}

const config = {
    endpoint,
    region: "us-east-1",
    credentials: { accessKeyId, secretAccessKey },
    maxAttempts: 1,
};
const incidents = new SSMIncidentsClient(config);
const events = new EventBridgeClient(config);

function packageVersion(name) {
    try {
        return JSON.parse(readFileSync(join(HERE, "node_modules", name, "package.json"), "utf8")).version;
    } catch {
        return null;
    }
}

// What the run observed; printed whole at the end, or as far as it got on an error.
const out = {
    node: process.version,
    sdk: {
        "@aws-sdk/client-ssm-incidents": packageVersion("@aws-sdk/client-ssm-incidents"),
        "@aws-sdk/client-eventbridge": packageVersion("@aws-sdk/client-eventbridge"),
    },
    calls: [],
};

class StepError extends Error {}

// Sends one command; on an error, names the step, the operation and what the SDK saw.
async function send(client, command, step) {
    const op = command.constructor.name.replace(/Command$/, "");
    try {
        const result = await client.send(command);
        out.calls.push(op);
        return result;
    } catch (err) {
        const meta = err?.$metadata ?? {};
        const lines = [
            `step "${step}": ${op} failed: ${err?.name ?? "Error"}: ${err?.message ?? String(err)}`,
            `  http status: ${meta.httpStatusCode ?? "(none)"}; fault: ${err?.$fault ?? "(none)"}; request id: ${meta.requestId ?? "(none)"}`,
        ];
        if (err?.$responseBodyText !== undefined) {
            lines.push(`  response body the SDK could not parse: ${String(err.$responseBodyText).slice(0, 2000)}`);
        }
        throw new StepError(lines.join("\n"), { cause: err });
    }
}

async function waitFor(step, fetch, done, timeoutMs = WAIT_MS, intervalMs = 100) {
    const deadline = Date.now() + timeoutMs;
    let value = await fetch();
    while (!done(value)) {
        if (Date.now() > deadline) {
            throw new StepError(
                `step "${step}": timed out after ${timeoutMs / 1000} s; last value: ${JSON.stringify(value)}`,
            );
        }
        await new Promise((resolve) => setTimeout(resolve, intervalMs));
        value = await fetch();
    }
    return value;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const statusFilter = (status) => ({ key: "status", condition: { equals: { stringValues: [status] } } });
const impactFilter = (...impacts) => ({ key: "impact", condition: { equals: { integerValues: impacts } } });
const summary = (r) => ({ arn: r.arn, title: r.title, status: r.status, impact: r.impact });

async function listIncidents(step, filters) {
    const resp = await send(incidents, new ListIncidentRecordsCommand(filters ? { filters } : {}), step);
    return resp.incidentRecordSummaries.map(summary);
}

async function main() {
    const alarm = JSON.parse(readFileSync(ALARM_EVENT_FILE, "utf8"));

    // 1. A response plan.
    const plan = await send(
        incidents,
        new CreateResponsePlanCommand({
            name: PLAN_NAME,
            displayName: "CPU high (JS SDK)",
            incidentTemplate: { title: PLAN_TITLE, impact: PLAN_IMPACT },
            tags: PLAN_TAGS,
        }),
        "create the response plan",
    );
    const planTags = await send(
        incidents,
        new ListTagsForResourceCommand({ resourceArn: plan.arn }),
        "list the plan's tags",
    );
    out.plan = { arn: plan.arn, tags: planTags.tags };

    // 2. A custom bus, a rule on it matching CloudWatch alarms, the plan as its target.
    const bus = await send(events, new CreateEventBusCommand({ Name: BUS }), "create the custom event bus");
    out.bus = { name: BUS, arn: bus.EventBusArn };
    const rule = await send(
        events,
        new PutRuleCommand({ Name: RULE, EventBusName: BUS, EventPattern: JSON.stringify(ALARM_PATTERN) }),
        "put the rule on the custom bus",
    );
    const putTargets = await send(
        events,
        new PutTargetsCommand({ Rule: RULE, EventBusName: BUS, Targets: [{ Id: "plan", Arn: plan.arn }] }),
        "put the plan as the rule's target",
    );
    const targets = await send(
        events,
        new ListTargetsByRuleCommand({ Rule: RULE, EventBusName: BUS }),
        "list the rule's targets",
    );
    out.rule = {
        arn: rule.RuleArn,
        putTargetsFailedEntryCount: putTargets.FailedEntryCount,
        targets: targets.Targets.map((t) => ({ Id: t.Id, Arn: t.Arn })),
    };

    // 3. An archive of the custom bus.
    const archive = await send(
        events,
        new CreateArchiveCommand({
            ArchiveName: ARCHIVE,
            EventSourceArn: bus.EventBusArn,
            EventPattern: JSON.stringify(ALARM_PATTERN),
            Description: "alarms on the JS SDK's bus",
        }),
        "create the archive",
    );
    out.archive = { arn: archive.ArchiveArn, state: archive.State };

    // 4. The alarm, put on the custom bus.
    const beforePut = new Date(Date.now() - 2000);
    const put = await send(
        events,
        new PutEventsCommand({
            Entries: [
                {
                    EventBusName: BUS,
                    Source: alarm.source,
                    DetailType: alarm["detail-type"],
                    Detail: JSON.stringify(alarm.detail),
                    Resources: alarm.resources,
                    Time: new Date(alarm.time),
                },
            ],
        }),
        "put the alarm event on the custom bus",
    );
    out.putEvents = {
        failedEntryCount: put.FailedEntryCount,
        entries: put.Entries.map((e) => ({ EventId: e.EventId, ErrorCode: e.ErrorCode })),
    };
    const archived = await send(
        events,
        new DescribeArchiveCommand({ ArchiveName: ARCHIVE }),
        "describe the archive after PutEvents",
    );
    out.archive.eventCount = archived.EventCount;
    out.archive.eventSourceArn = archived.EventSourceArn;

    // 5. The rule opened an incident: the filters OPEN + the plan's impact see it.
    const openPlanImpact = [statusFilter("OPEN"), impactFilter(PLAN_IMPACT)];
    const opened = await waitFor(
        "the rule's incident to be listed (status OPEN, impact 2)",
        () => listIncidents("list OPEN incidents of impact 2", openPlanImpact),
        (records) => records.length >= 1,
    );
    await sleep(300); // a duplicate incident would show up by now
    const ruleIncidentArn = opened[0].arn;
    const ruleRelated = await send(
        incidents,
        new ListRelatedItemsCommand({ incidentRecordArn: ruleIncidentArn }),
        "list the rule incident's related items",
    );
    const ruleRecord = await send(
        incidents,
        new GetIncidentRecordCommand({ arn: ruleIncidentArn }),
        "get the rule's incident",
    );
    out.ruleIncident = {
        ...summary(ruleRecord.incidentRecord),
        dedupeString: ruleRecord.incidentRecord.dedupeString,
        source: ruleRecord.incidentRecord.incidentRecordSource,
        listedOpenImpact2: await listIncidents("list OPEN incidents of impact 2", openPlanImpact),
        relatedItems: ruleRelated.relatedItems.map((i) => ({ type: i.identifier.type, value: i.identifier.value })),
    };

    // 6. An incident started directly, twice with one client token.
    const direct = await send(
        incidents,
        new StartIncidentCommand({
            responsePlanArn: plan.arn,
            title: DIRECT_TITLE,
            impact: DIRECT_IMPACT,
            clientToken: DIRECT_TOKEN,
        }),
        "start an incident directly",
    );
    const again = await send(
        incidents,
        new StartIncidentCommand({
            responsePlanArn: plan.arn,
            title: DIRECT_TITLE,
            impact: DIRECT_IMPACT,
            clientToken: DIRECT_TOKEN,
        }),
        "start the incident again with the same client token",
    );
    const directArn = direct.incidentRecordArn;
    out.directIncident = { arn: directArn, sameTokenArn: again.incidentRecordArn };
    out.filters = {
        all: await listIncidents("list all incidents"),
        openImpact2: await listIncidents("list OPEN incidents of impact 2", openPlanImpact),
        openImpact4: await listIncidents("list OPEN incidents of impact 4", [statusFilter("OPEN"), impactFilter(DIRECT_IMPACT)]),
        openImpact2or4: await listIncidents("list OPEN incidents of impact 2 or 4", [
            statusFilter("OPEN"),
            impactFilter(PLAN_IMPACT, DIRECT_IMPACT),
        ]),
        impact5: await listIncidents("list incidents of impact 5", [impactFilter(5)]),
        resolvedBefore: await listIncidents("list RESOLVED incidents", [statusFilter("RESOLVED")]),
    };

    // 7. A note on the direct incident, listed back with filters.
    const noteTime = new Date();
    const note = await send(
        incidents,
        new CreateTimelineEventCommand({
            incidentRecordArn: directArn,
            eventTime: noteTime,
            eventType: "Note",
            eventData: JSON.stringify({ text: NOTE_TEXT }),
            clientToken: "js-sdk-note-1",
        }),
        "create a Note timeline event",
    );
    const noteFilter = { key: "eventType", condition: { equals: { stringValues: ["Note"] } } };
    const timeline = (step, filters) =>
        send(
            incidents,
            new ListTimelineEventsCommand({ incidentRecordArn: directArn, ...(filters ? { filters } : {}) }),
            step,
        ).then((r) =>
            r.eventSummaries.map((e) => ({
                eventId: e.eventId,
                eventType: e.eventType,
                eventTime: e.eventTime,
                incidentRecordArn: e.incidentRecordArn,
            })),
        );
    out.note = {
        eventId: note.eventId,
        incidentRecordArn: note.incidentRecordArn,
        eventTime: noteTime,
        all: await timeline("list the whole timeline"),
        notes: await timeline("list Note entries", [noteFilter]),
        notesAfter: await timeline("list Note entries after the note's time minus 60 s", [
            noteFilter,
            { key: "eventTime", condition: { after: new Date(noteTime.getTime() - 60_000) } },
        ]),
        notesBefore: await timeline("list Note entries before the note's time minus 60 s", [
            noteFilter,
            { key: "eventTime", condition: { before: new Date(noteTime.getTime() - 60_000) } },
        ]),
        createdOnly: await timeline("list Incident Created entries", [
            { key: "eventType", condition: { equals: { stringValues: ["Incident Created"] } } },
        ]),
    };

    // 8. A related item (OTHER, with a url).
    await send(
        incidents,
        new UpdateRelatedItemsCommand({
            incidentRecordArn: directArn,
            clientToken: "js-sdk-related-1",
            relatedItemsUpdate: {
                itemToAdd: { identifier: { type: "OTHER", value: { url: RELATED_URL } }, title: "Status page" },
            },
        }),
        "add a related item",
    );
    const related = await send(
        incidents,
        new ListRelatedItemsCommand({ incidentRecordArn: directArn }),
        "list the related items",
    );
    out.relatedItems = related.relatedItems.map((i) => ({
        type: i.identifier.type,
        value: i.identifier.value,
        title: i.title,
    }));

    // 9. Tags on the incident.
    await send(
        incidents,
        new TagResourceCommand({ resourceArn: directArn, tags: { team: "sre", severity: "high" } }),
        "tag the incident",
    );
    const tagged = await send(
        incidents,
        new ListTagsForResourceCommand({ resourceArn: directArn }),
        "list the incident's tags",
    );
    await send(
        incidents,
        new UntagResourceCommand({ resourceArn: directArn, tagKeys: ["severity"] }),
        "untag the incident",
    );
    const untagged = await send(
        incidents,
        new ListTagsForResourceCommand({ resourceArn: directArn }),
        "list the incident's tags after untagging",
    );
    out.tags = { afterTag: tagged.tags, afterUntag: untagged.tags };

    // 10. Resolve the rule's incident.
    await send(
        incidents,
        new UpdateIncidentRecordCommand({ arn: ruleIncidentArn, status: "RESOLVED", clientToken: "js-sdk-resolve-1" }),
        "resolve the rule's incident",
    );
    const resolved = await send(
        incidents,
        new GetIncidentRecordCommand({ arn: ruleIncidentArn }),
        "get the resolved incident",
    );
    out.resolved = {
        ...summary(resolved.incidentRecord),
        resolvedTime: resolved.incidentRecord.resolvedTime ?? null,
        openImpact2: await listIncidents("list OPEN incidents of impact 2 after resolving", openPlanImpact),
        resolved: await listIncidents("list RESOLVED incidents after resolving", [statusFilter("RESOLVED")]),
    };

    // 11. Replay the archive onto its bus, to the rule.
    const replayEnd = new Date();
    const started = await send(
        events,
        new StartReplayCommand({
            ReplayName: REPLAY,
            EventSourceArn: archive.ArchiveArn,
            EventStartTime: beforePut,
            EventEndTime: replayEnd,
            Destination: { Arn: bus.EventBusArn, FilterArns: [rule.RuleArn] },
        }),
        "start the replay",
    );
    const states = new Set();
    const done = await waitFor(
        "the replay to finish",
        async () => {
            const d = await send(events, new DescribeReplayCommand({ ReplayName: REPLAY }), "describe the replay");
            states.add(d.State);
            return d;
        },
        (d) => ["COMPLETED", "FAILED", "CANCELLED"].includes(d.State),
        60_000,
        100,
    );
    out.replay = {
        arn: started.ReplayArn,
        startState: started.State,
        statesSeen: [...states],
        state: done.State,
        stateReason: done.StateReason ?? null,
        eventSourceArn: done.EventSourceArn,
        destination: done.Destination,
        eventStartTime: done.EventStartTime,
        eventEndTime: done.EventEndTime,
        eventLastReplayedTime: done.EventLastReplayedTime ?? null,
        replayStartTime: done.ReplayStartTime,
        replayEndTime: done.ReplayEndTime ?? null,
    };

    // 12. The replayed alarm opened a new incident.
    const reopened = await waitFor(
        "a new OPEN incident of impact 2 after the replay",
        () => listIncidents("list OPEN incidents of impact 2 after the replay", openPlanImpact),
        (records) => records.length >= 1,
    );
    await sleep(300);
    const afterOpen = await listIncidents("list OPEN incidents of impact 2 after the replay", openPlanImpact);
    const newArn = reopened[0].arn;
    const newRecord = await send(incidents, new GetIncidentRecordCommand({ arn: newArn }), "get the replay's incident");
    out.afterReplay = {
        openImpact2: afterOpen,
        open: await listIncidents("list OPEN incidents after the replay", [statusFilter("OPEN")]),
        resolved: await listIncidents("list RESOLVED incidents after the replay", [statusFilter("RESOLVED")]),
        newIncident: {
            ...summary(newRecord.incidentRecord),
            dedupeString: newRecord.incidentRecord.dedupeString,
            source: newRecord.incidentRecord.incidentRecordSource,
        },
        archiveEventCount: (
            await send(events, new DescribeArchiveCommand({ ArchiveName: ARCHIVE }), "describe the archive after the replay")
        ).EventCount,
    };
}

try {
    await main();
    process.stdout.write(JSON.stringify(out, null, 2) + "\n");
} catch (err) {
    const message = err instanceof StepError ? err.message : `unexpected error: ${err?.stack ?? err}`;
    process.stderr.write(`drive.mjs: ${message}\n`);
    process.stderr.write(`drive.mjs: observed so far: ${JSON.stringify(out)}\n`);
    process.exit(1);
}
