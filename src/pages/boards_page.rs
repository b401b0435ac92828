//! Boards: named, saved wall views, and the kiosk rotation between them.

use leptos::prelude::*;
use leptos_router::components::A;
use tocsin_api::boards::Board;
use tocsin_api::native::Change;

use crate::api::ApiError;
use crate::auth::session::use_auth;
use crate::auth::{Control, cannot_message, may};
use crate::boards::{DEFAULT_ROTATION_SECS, MAX_ROTATION_SECS, MIN_ROTATION_SECS, wall_href};
use crate::components::action_error::ActionError;
use crate::components::connection_badge::ConnectionBadge;
use crate::components::fields::checklist::Checklist;
use crate::components::fields::field_message::FieldMessage;
use crate::components::fields::select_field::SelectField;
use crate::components::fields::text_area::TextArea;
use crate::components::fields::text_field::TextField;
use crate::components::list_status::{KeptList, ListStatus};
use crate::forms::board::{BoardForm, describe};
use crate::forms::plan::FieldError;
use crate::live::{ChangeFeed, use_live_resource};
use crate::use_api;

/// `/boards`: every saved board (`GET /v1/boards`, following `boardChanged`), each with its
/// filters in words and links to show it on the wall (`/wall?board=NAME`, and in kiosk
/// mode); for responders the `form#board-form` that saves one (`POST /v1/boards`: name,
/// heading, response plans, impacts, tags, acknowledgement state, grouping), "Edit" and
/// "Delete" on each; and a rotation builder that links to a kiosk wall turning between the
/// boards chosen every N seconds (`#rotation-link`).
#[component]
pub fn BoardsPage() -> impl IntoView {
    let role = use_auth().role_untracked();
    let can_manage = may(role, Control::ManageBoards);
    let api = use_api();
    let feed = ChangeFeed::new(api.clone());
    let list_api = api.clone();
    let boards = use_live_resource(
        feed,
        move || {
            let api = list_api.clone();
            async move { api.list_boards().await }
        },
        |entry| matches!(entry.change, Change::BoardChanged { .. }),
    );
    feed.start(None);
    let kept = KeptList::new(boards, |_| ());
    let list = kept.list;
    let plans_api = api.clone();
    let plans = LocalResource::new(move || {
        let api = plans_api.clone();
        async move { api.all_response_plans().await.unwrap_or_default() }
    });
    let plan_options = Signal::derive(move || {
        plans
            .get()
            .unwrap_or_default()
            .into_iter()
            .map(|p| (p.arn.clone(), p.label().to_owned()))
            .collect::<Vec<_>>()
    });
    // Tracked: a board listed before the plans loaded names them once they do.
    let plan_name = move |arn: &str| {
        plan_options.with(|options| {
            options
                .iter()
                .find(|(a, _)| a == arn)
                .map_or_else(|| arn.to_owned(), |(_, l)| l.clone())
        })
    };

    // The form.
    let name = RwSignal::new(String::new());
    let title = RwSignal::new(String::new());
    let chosen_plans = RwSignal::new(Vec::<String>::new());
    let impacts = RwSignal::new(Vec::<i32>::new());
    let tags = RwSignal::new(String::new());
    let unacknowledged = RwSignal::new(false);
    let acknowledged = RwSignal::new(false);
    let group_by = RwSignal::new("impact".to_owned());
    let field_error = RwSignal::new(None::<FieldError>);
    let saved = RwSignal::new(None::<String>);
    let fill = move |f: BoardForm| {
        name.set(f.name);
        title.set(f.title);
        chosen_plans.set(f.plans);
        impacts.set(f.impacts);
        tags.set(f.tags);
        unacknowledged.set(f.unacknowledged);
        acknowledged.set(f.acknowledged);
        group_by.set(f.group_by);
    };
    let save_api = api.clone();
    let save = Action::new_local(move |board: &Board| {
        let api = save_api.clone();
        let board = board.clone();
        async move {
            let stored = api.put_board(&board).await?;
            saved.try_set(Some(format!("Board {} saved.", stored.name)));
            boards.refetch();
            Ok::<(), ApiError>(())
        }
    });
    let on_save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        saved.set(None);
        let form = BoardForm {
            name: name.get_untracked(),
            title: title.get_untracked(),
            plans: chosen_plans.get_untracked(),
            impacts: impacts.get_untracked(),
            tags: tags.get_untracked(),
            unacknowledged: unacknowledged.get_untracked(),
            acknowledged: acknowledged.get_untracked(),
            group_by: group_by.get_untracked(),
        };
        match form.board() {
            Ok(board) => {
                field_error.set(None);
                save.dispatch_local(board);
            }
            Err(e) => field_error.set(Some(e)),
        }
    };
    let delete_api = api.clone();
    let delete = Action::new_local(move |board_name: &String| {
        let api = delete_api.clone();
        let board_name = board_name.clone();
        async move {
            api.delete_board(&board_name).await?;
            boards.refetch();
            Ok::<(), ApiError>(())
        }
    });

    // The rotation.
    let rotation = RwSignal::new(Vec::<String>::new());
    let every = RwSignal::new(DEFAULT_ROTATION_SECS.to_string());
    let rotation_href = move || {
        let secs = crate::boards::rotation_secs(Some(&every.get()));
        wall_href(&rotation.get(), secs, true)
    };
    let board_options = Signal::derive(move || {
        list.get()
            .into_iter()
            .map(|b| (b.name.clone(), b.heading().to_owned()))
            .collect::<Vec<_>>()
    });

    let impact_box = move |level: i32| {
        let id = format!("board-impact-{level}");
        view! {
            <label class="check" for=id.clone()>
                <input
                    type="checkbox"
                    id=id.clone()
                    prop:checked=move || impacts.with(|i| i.contains(&level))
                    on:change=move |ev| {
                        let on = event_target_checked(&ev);
                        impacts.update(|i| {
                            i.retain(|l| *l != level);
                            if on {
                                i.push(level);
                            }
                        });
                    }
                />
                {format!(" {}", tocsin_api::impact::Impact::clamped(level))}
            </label>
        }
    };
    let status_box = move |id: &'static str, label: &'static str, value: RwSignal<bool>| {
        view! {
            <label class="check" for=id>
                <input
                    type="checkbox"
                    id=id
                    prop:checked=move || value.get()
                    on:change=move |ev| value.set(event_target_checked(&ev))
                />
                {label}
            </label>
        }
    };
    let form_error = Signal::derive(move || field_error.get());

    view! {
        <section class="page boards-page">
            <div class="page-head">
                <h1>"Boards"</h1>
                <ConnectionBadge state=feed.state() />
            </div>
            <p class="hint">
                "A board is a saved wall view: the open incidents of some response plans, "
                "impacts, tags or acknowledgement states, grouped by impact or by plan. Every "
                "screen shows the same boards; a wall shows one with ?board=NAME."
            </p>
            <section class="integration-section" id="saved-boards" aria-labelledby="boards-title">
                <h2 id="boards-title">"Saved boards"</h2>
                <ListStatus list=kept error_id="boards-error" empty_id="no-boards" empty="No boards yet." />
                <ActionError action=delete id="board-delete-error" />
                <ul class="board-list" id="board-list">
                    <For
                        each=move || list.get()
                        key=|b| (b.name.clone(), b.updated_at.map(f64::to_bits))
                        children=move |b: Board| {
                            let names = vec![b.name.clone()];
                            let open = wall_href(&names, DEFAULT_ROTATION_SECS, false);
                            let kiosk = wall_href(&names, DEFAULT_ROTATION_SECS, true);
                            let described = b.clone();
                            let what = move || describe(&described, plan_name);
                            let edit_board = b.clone();
                            let delete_name = b.name.clone();
                            view! {
                                <li class="board-item" data-board=b.name.clone()>
                                    <h3>{b.heading().to_owned()}</h3>
                                    <p class="board-name muted">{format!("?board={}", b.name)}</p>
                                    <p class="board-filters">{what}</p>
                                    <p class="board-links">
                                        <A href=open attr:class="board-open">"Show on the wall"</A>
                                        " · "
                                        <A href=kiosk attr:class="board-kiosk">"Kiosk"</A>
                                    </p>
                                    {can_manage.then(|| view! {
                                        <p class="board-actions">
                                            <button
                                                type="button"
                                                class="small board-edit"
                                                on:click=move |_| {
                                                    fill(BoardForm::from_board(&edit_board));
                                                    field_error.set(None);
                                                    saved.set(None);
                                                }
                                            >
                                                "Edit"
                                            </button>
                                            " "
                                            <button
                                                type="button"
                                                class="small danger board-delete"
                                                on:click=move |_| {
                                                    delete.dispatch_local(delete_name.clone());
                                                }
                                            >
                                                "Delete"
                                            </button>
                                        </p>
                                    })}
                                </li>
                            }
                        }
                    />
                </ul>
            </section>
            {(!can_manage)
                .then(|| {
                    view! {
                        <p class="note" id="boards-read-only">
                            {cannot_message(role, "save or delete boards")}
                        </p>
                    }
                })}
            {can_manage.then(|| view! {
                <section class="integration-section" id="save-board" aria-labelledby="save-board-title">
                    <h2 id="save-board-title">"Save a board"</h2>
                    <form class="form" id="board-form" autocomplete="off" on:submit=on_save>
                        <TextField
                            id="board-name"
                            label="Name (in the URL)"
                            value=name
                            required=true
                            maxlength="64"
                            hint="Saving under an existing name replaces that board."
                        />
                        <FieldMessage field="board-name" error=form_error />
                        <TextField id="board-title" label="Heading (optional)" value=title maxlength="100" />
                        <FieldMessage field="board-title" error=form_error />
                        <Checklist
                            id="board-plans"
                            legend="Response plans (none chosen: every plan)"
                            options=plan_options
                            value=chosen_plans
                            empty="No response plans yet."
                        />
                        <fieldset class="checklist" id="board-impacts">
                            <legend>"Impacts (none chosen: every impact)"</legend>
                            {(1..=5).map(impact_box).collect_view()}
                        </fieldset>
                        <TextArea
                            id="board-tags"
                            label="Incident tags, one key=value a line (an incident must carry every one)"
                            value=tags
                            rows="3"
                            code=true
                        />
                        <FieldMessage field="board-tags" error=form_error />
                        <fieldset class="checklist" id="board-statuses">
                            <legend>"Acknowledgement (none or both: every incident)"</legend>
                            {status_box("board-unacknowledged", " Unacknowledged", unacknowledged)}
                            {status_box("board-acknowledged", " Acknowledged", acknowledged)}
                        </fieldset>
                        <SelectField
                            id="board-group-by"
                            label="Group by"
                            value=group_by
                            options=vec![("impact", "Impact"), ("responsePlan", "Response plan")]
                        />
                        <button type="submit" id="board-save">"Save board"</button>
                        <ActionError action=save id="board-save-error" />
                        {move || saved.get().map(|m| view! { <p class="ok" id="board-saved" role="status">{m}</p> })}
                    </form>
                </section>
            })}
            <section class="integration-section" id="board-rotation" aria-labelledby="rotation-title">
                <h2 id="rotation-title">"Kiosk rotation"</h2>
                <p class="hint">"A wall screen that turns between boards, each for a while."</p>
                <Checklist
                    id="rotation-boards"
                    legend="Boards, in the order chosen"
                    options=board_options
                    value=rotation
                    empty="Save a board first."
                />
                <TextField
                    id="rotation-every"
                    label="Seconds per board"
                    value=every
                    input_type="number"
                    hint="From 5 to 3600."
                />
                <p>
                    <a id="rotation-link" href=rotation_href>"Open the rotation"</a>
                    {format!(" (each board {MIN_ROTATION_SECS}–{MAX_ROTATION_SECS} s)")}
                </p>
            </section>
        </section>
    }
}
