//! ssm-incidents response plans: create, read, list, update, delete.

use tocsin_api::incidents::{
    CreateResponsePlanInput, CreateResponsePlanOutput, DeleteResponsePlanInput,
    GetResponsePlanOutput, ListResponsePlansInput, ListResponsePlansOutput, ResponsePlanSummary,
    UpdateResponsePlanInput,
};

use super::paging::{PAGE_LIMIT, all_pages};
use super::{Api, ApiError};
use crate::format::encode_component;

impl Api {
    /// `POST /createResponsePlan` (201).
    pub async fn create_response_plan(
        &self,
        input: &CreateResponsePlanInput,
    ) -> Result<CreateResponsePlanOutput, ApiError> {
        self.post_json("/createResponsePlan", input).await
    }

    /// `GET /getResponsePlan?arn=…`.
    pub async fn get_response_plan(&self, arn: &str) -> Result<GetResponsePlanOutput, ApiError> {
        self.get_json(&format!("/getResponsePlan?arn={}", encode_component(arn)))
            .await
    }

    /// `POST /listResponsePlans` (one page).
    pub async fn list_response_plans(
        &self,
        input: &ListResponsePlansInput,
    ) -> Result<ListResponsePlansOutput, ApiError> {
        self.post_json("/listResponsePlans", input).await
    }

    /// Every response plan (see [`all_pages`]).
    pub async fn all_response_plans(&self) -> Result<Vec<ResponsePlanSummary>, ApiError> {
        all_pages(|next_token| async move {
            let input = ListResponsePlansInput {
                max_results: Some(PAGE_LIMIT),
                next_token,
            };
            let page = self.list_response_plans(&input).await?;
            Ok((page.response_plan_summaries, page.next_token))
        })
        .await
    }

    /// `POST /updateResponsePlan` (204).
    pub async fn update_response_plan(
        &self,
        input: &UpdateResponsePlanInput,
    ) -> Result<(), ApiError> {
        self.post_empty("/updateResponsePlan", input).await
    }

    /// `POST /deleteResponsePlan` (204).
    pub async fn delete_response_plan(&self, arn: &str) -> Result<(), ApiError> {
        let input = DeleteResponsePlanInput {
            arn: arn.to_owned(),
        };
        self.post_empty("/deleteResponsePlan", &input).await
    }
}
